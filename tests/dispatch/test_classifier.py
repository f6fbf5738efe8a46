"""The classifier without a database: training, prediction, thresholds, data files and model files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jingzhi.dispatch.classifier import artifact
from jingzhi.dispatch.classifier.data import DatasetError, Sample, read_csv
from jingzhi.dispatch.classifier.evaluate import evaluate
from jingzhi.dispatch.classifier.model import NBSVM, choose_threshold, train
from tests.dispatch.conftest import CLEAR, WORDS, make_rows, write_csv


def test_the_model_ranks_the_right_category_first_with_probabilities(model_file: Path) -> None:
    model = artifact.load(model_file)
    assert model.labels == sorted(WORDS)
    for label, text in CLEAR.items():
        ranked = model.predict(text, top=3)
        assert [s.label for s in ranked][0] == label
        assert ranked[0].confidence > ranked[1].confidence >= ranked[2].confidence
        assert sum(s.confidence for s in ranked) == pytest.approx(1.0)


def test_fast_single_prediction_agrees_with_the_batch_path(model_file: Path) -> None:
    model = artifact.load(model_file)
    texts = [*CLEAR.values(), "完全无关的句子", ""]
    batch = model.predict_proba(texts)
    single = np.vstack([model.predict_one(t) for t in texts])
    assert np.allclose(batch, single, atol=1e-9)


def test_nbsvm_scores_are_per_class_svms_on_ratio_scaled_features() -> None:
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(0)
    x = csr_matrix(rng.random((60, 12)) * (rng.random((60, 12)) < 0.4))
    y = rng.integers(0, 3, 60)
    model = NBSVM(c=0.5, alpha=1.0).fit(x, y)
    present = (x > 0).astype(float)
    for k in range(3):
        p = 1.0 + np.asarray(present[y == k].sum(axis=0)).ravel()
        q = 1.0 + np.asarray(present[y != k].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0).fit(x.multiply(ratio).tocsr(), (y == k).astype(int))
        expected = svm.decision_function(x.multiply(ratio).tocsr())
        assert np.allclose(model.decision_function(x)[:, k], expected, atol=1e-9)  # the ratio folded into coef_
    assert list(model.predict(x[:5])) == list(model.decision_function(x[:5]).argmax(axis=1))


def test_two_classes_give_two_scores_and_agreeing_fast_path() -> None:
    rows = [Sample(text=t, label=y) for t, y in make_rows() if y != "教育文体"]
    model = train(rows)
    assert model.svm.decision_function(model._features([model.tokens(CLEAR["城乡建设"])])).shape == (1, 2)
    texts = [CLEAR["城乡建设"], CLEAR["环境保护"], ""]
    assert np.allclose(model.predict_proba(texts), np.vstack([model.predict_one(t) for t in texts]), atol=1e-9)
    assert model.predict(CLEAR["环境保护"])[0].label == "环境保护"


def test_a_model_written_with_the_earlier_linear_svm_still_predicts(model_file: Path) -> None:
    """Files of format 1 written before NB-SVM hold a LinearSVC: same linear interface, same fast path."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    model = artifact.load(model_file)
    rows = make_rows()
    features = model._features([model.tokens(t) for t, _ in rows])
    y = np.array([model.labels.index(label) for _, label in rows])
    model.svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0).fit(features, y)
    model.calibrator = LogisticRegression(max_iter=1000).fit(model.svm.decision_function(features), y)
    model.__dict__.pop("_fast", None)
    texts = [*CLEAR.values(), ""]
    assert np.allclose(model.predict_proba(texts), np.vstack([model.predict_one(t) for t in texts]), atol=1e-9)
    for label, text in CLEAR.items():
        assert model.predict(text)[0].label == label


def test_metadata_records_training_and_held_out_figures(model_file: Path) -> None:
    meta = artifact.load(model_file).metadata
    assert meta["training"]["n"] == len(make_rows())
    assert meta["method"].startswith("tfidf-char13+word · NB-SVM")
    assert meta["params"]["C"] == 0.25 and meta["params"]["nb_alpha"] == 1.0
    assert set(meta["training"]["class_counts"]) == set(WORDS)
    assert 0.5 < meta["cross_validation"]["macro_f1"] <= 1.0
    row = meta["thresholds"]["0.9"]
    assert row["threshold"] is None or row["precision"] >= 0.9
    # the JSON beside the model file carries the same figures and the file's checksum
    import json

    sidecar = json.loads(artifact.metadata_path(model_file).read_text(encoding="utf-8"))
    assert sidecar["cross_validation"] == meta["cross_validation"]
    assert sidecar["sha256"] == artifact.sha256(model_file)


@pytest.mark.parametrize(("target", "expected"), [(1.0, 0.8), (0.75, 0.6), (0.7, 0.6), (0.6, 0.5)])
def test_threshold_is_the_lowest_confidence_that_keeps_the_target_precision(target: float, expected: float) -> None:
    confidence = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, False, True, False])
    # precision of "confidence >= t" for t = 0.9 … 0.5: 1, 1, 2/3, 3/4, 3/5
    assert choose_threshold(confidence, correct, target, min_support=1) == expected


def test_threshold_never_splits_equal_confidences_and_needs_support() -> None:
    confidence = np.array([0.9, 0.9, 0.9, 0.4])
    correct = np.array([True, False, True, True])
    assert choose_threshold(confidence, correct, 0.99, min_support=1) is None  # 0.9 holds a wrong case
    assert choose_threshold(confidence, correct, 0.75, min_support=1) == 0.4  # 3/4
    assert choose_threshold(np.array([0.99, 0.98]), np.array([True, True]), 0.9, min_support=20) == 0.98  # all there is
    assert choose_threshold(np.array([]), np.array([], bool), 0.9) is None


def test_evaluate_reports_every_figure(model_file: Path) -> None:
    model = artifact.load(model_file)
    samples = [Sample(text=t, label=y) for t, y in make_rows(n_per_class=10, seed=99)]
    result = evaluate(model, samples)
    assert result["n"] == 30
    assert set(result["per_class"]) == set(WORDS)
    assert set(result["coverage_at_precision"]) == {"0.95", "0.98", "0.99"}
    for row in result["coverage_at_precision"].values():
        assert 0 <= row["coverage"] <= 1
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p99"]
    assert result["accuracy"] > 0.7


def test_training_needs_two_classes_with_two_examples_each() -> None:
    with pytest.raises(DatasetError, match="two classes"):
        train([Sample("路灯坏了", "城乡建设"), Sample("道路施工", "城乡建设")])
    with pytest.raises(DatasetError, match="教育文体"):
        train([Sample("路灯坏了", "城乡建设"), Sample("道路施工", "城乡建设"), Sample("学校补课", "教育文体")])


def test_read_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        read_csv(tmp_path / "none.csv")
    bad = write_csv(tmp_path / "cols.csv", [("路灯坏了", "城乡建设")], header=("content", "label"))
    with pytest.raises(DatasetError, match="column 'text'"):
        read_csv(bad)
    empty = write_csv(tmp_path / "empty.csv", [("路灯坏了", "城乡建设"), ("学校补课", "")])
    with pytest.raises(DatasetError, match="empty label.*line 3"):
        read_csv(empty)
    single = write_csv(tmp_path / "single.csv", [("路灯坏了", "城乡建设"), ("道路施工", "城乡建设")])
    with pytest.raises(DatasetError, match="only one class"):
        read_csv(single)


def test_read_csv_falls_back_to_title_and_detail_then_published_tokens(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id,label,title,detail,text,text_segmented,split\n"
        "1,城乡建设,路灯坏了,三天没亮,,路灯 坏 三天,train\n"
        "2,教育文体,,,,学校 补课 收费,train\n"
        "3,教育文体,,,学校乱收费,学校 收费,dev\n"
        "4,城乡建设,,,,,train\n",
        encoding="utf-8",
    )
    rows = read_csv(path, split="train")
    assert rows == [
        Sample("路灯坏了 三天没亮", "城乡建设", ("路灯", "坏", "三天")),
        Sample("", "教育文体", ("学校", "补课", "收费")),
    ]
    assert [s.text for s in read_csv(path, split="dev", require_two_classes=False)] == ["学校乱收费"]


def test_a_missing_or_corrupt_model_file_is_a_clear_error(model_copy: Path, tmp_path: Path) -> None:
    with pytest.raises(artifact.ModelFileError, match="not found"):
        artifact.load(tmp_path / "nothing.joblib")
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(model_copy.read_bytes()[:200])
    with pytest.raises(artifact.ModelFileError, match="corrupt"):
        artifact.load(broken)
    with pytest.raises(artifact.ModelFileError, match="checksum"):
        artifact.load(model_copy, expected_sha256="0" * 64)
    import joblib

    other = tmp_path / "other.joblib"
    joblib.dump({"something": "else"}, other)
    with pytest.raises(artifact.ModelFileError, match="not a Jingzhi dispatch model"):
        artifact.load(other)
