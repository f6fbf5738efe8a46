"""Figures for a model on labelled data: the JSON the `jingzhi dispatch evaluate` command prints."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from jingzhi.dispatch.classifier.data import Sample
from jingzhi.dispatch.classifier.model import DispatchClassifier

REPORTED_PRECISIONS = (0.95, 0.98, 0.99)


def evaluate(model: DispatchClassifier, samples: Sequence[Sample], *, timed: int | None = None) -> dict[str, Any]:
    """Predict every sample one at a time (as intake does) and report quality, coverage and latency.

    Samples without raw text are judged on their published tokens joined together. Labels the model does
    not know count as errors. `timed` limits how many messages are timed (all by default).
    """
    texts = [s.text or "".join(s.segmented) for s in samples]
    model.predict(texts[0])  # load jieba's dictionary before the clock starts: that is a one-off cost
    latencies, proba_rows = [], []
    for i, text in enumerate(texts):
        if timed is None or i < timed:
            started = time.perf_counter()
            proba_rows.append(model.predict_one(text))
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            proba_rows.append(model.predict_one(text))
    proba = np.vstack(proba_rows)
    predicted = [model.labels[i] for i in proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    truth = [s.label for s in samples]
    correct = np.array([p == t for p, t in zip(predicted, truth, strict=True)])
    classes = sorted(set(truth) | set(model.labels))
    per_class = f1_score(truth, predicted, labels=classes, average=None, zero_division=0)
    coverage: dict[str, Any] = {}
    for target in REPORTED_PRECISIONS:
        threshold = model.threshold_for(target)
        covered = confidence >= threshold if threshold is not None else np.zeros(len(samples), bool)
        coverage[f"{target:g}"] = {
            "threshold": round(threshold, 4) if threshold is not None else None,
            "coverage": round(float(covered.mean()), 4),
            "precision": round(float(correct[covered].mean()), 4) if covered.any() else None,
        }
    return {
        "macro_f1": round(float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "per_class": {label: round(float(f), 4) for label, f in zip(classes, per_class, strict=True)},
        "coverage_at_precision": coverage,
        "latency_ms_p50": round(float(np.percentile(latencies, 50)), 3),
        "latency_ms_p99": round(float(np.percentile(latencies, 99)), 3),
        "n": len(samples),
    }
