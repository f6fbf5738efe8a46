"""`jingzhi dispatch train` and `evaluate --json`: the interface the benchmarks call, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jingzhi.cli import main
from tests.dispatch.conftest import WORDS, make_rows, write_csv


def test_train_then_evaluate_prints_one_json_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train_csv = write_csv(tmp_path / "train.csv", [(t, y) for t, y in make_rows(n_per_class=20)], header=("正文", "类别"))
    dev_csv = write_csv(tmp_path / "dev.csv", make_rows(n_per_class=8, seed=3), header=("正文", "类别"))
    out = tmp_path / "m" / "model.joblib"
    assert main(["dispatch", "train", "--csv", str(train_csv), "--text-column", "正文", "--label-column", "类别", "--out", str(out)]) == 0
    assert out.is_file() and out.with_name("model.joblib.json").is_file()
    capsys.readouterr()
    assert main(["dispatch", "evaluate", "--csv", str(dev_csv), "--model", str(out), "--text-column", "正文",
                 "--label-column", "类别", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == {"macro_f1", "accuracy", "per_class", "coverage_at_precision", "latency_ms_p50", "latency_ms_p99", "n"}
    assert result["n"] == 24 and set(result["per_class"]) == set(WORDS)
    assert set(result["coverage_at_precision"]["0.98"]) == {"threshold", "coverage", "precision"}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_file", "file not found"),
        ("missing_column", "column 'text' not found"),
        ("empty_label", "empty label"),
        ("one_class", "only one class"),
    ],
)
def test_train_errors_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, message: str) -> None:
    path = tmp_path / "data.csv"
    if case == "missing_column":
        write_csv(path, [("路灯坏了", "城乡建设")], header=("body", "label"))
    elif case == "empty_label":
        write_csv(path, [("路灯坏了", "城乡建设"), ("学校补课", " ")])
    elif case == "one_class":
        write_csv(path, [("路灯坏了", "城乡建设"), ("道路施工", "城乡建设")])
    code = main(["dispatch", "train", "--csv", str(path), "--out", str(tmp_path / "m.joblib")])
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err and captured.out == ""
    assert not (tmp_path / "m.joblib").exists()


def test_evaluate_with_a_missing_or_corrupt_model_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_csv(tmp_path / "dev.csv", make_rows(n_per_class=3))
    assert main(["dispatch", "evaluate", "--csv", str(data), "--model", str(tmp_path / "none.joblib"), "--json"]) == 2
    assert "model file not found" in capsys.readouterr().err
    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a model at all")
    assert main(["dispatch", "evaluate", "--csv", str(data), "--model", str(junk), "--json"]) == 2
    assert "corrupt" in capsys.readouterr().err


@pytest.mark.django_db
def test_train_from_cases_and_activate_report_problems_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JINGZHI_DATA_DIR", str(tmp_path))  # --data-dir sets it; restore it afterwards
    assert main(["dispatch", "train", "--from-cases", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "closed cases" in err or "工单不足" in err
    assert main(["dispatch", "activate", "--version", "nope", "--data-dir", str(tmp_path)]) == 2
    assert "no model version nope" in capsys.readouterr().err
    assert main(["dispatch", "activate", "--path", str(tmp_path / "missing.joblib"), "--data-dir", str(tmp_path)]) == 2
    assert "missing.joblib" in capsys.readouterr().err


@pytest.mark.django_db
def test_activate_registers_a_model_file(
    model_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jingzhi.dispatch import registry

    monkeypatch.setenv("JINGZHI_DATA_DIR", str(tmp_path))
    assert main(["dispatch", "activate", "--path", str(model_file), "--data-dir", str(tmp_path)]) == 0
    row = registry.active_model()
    assert row is not None and row.path == str(model_file.resolve())
    assert row.version in capsys.readouterr().out
