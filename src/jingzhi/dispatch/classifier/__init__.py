"""Text classification for dispatch: training, prediction, evaluation and model files. No Django here."""
