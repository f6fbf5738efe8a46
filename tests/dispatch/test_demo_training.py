"""The demo fits its classifier in a second process while it plays its cases (issue 11, point 12): the model that
comes back must be the one this process would have fitted, so the demo's dispatch page and suggestions are the same."""

from __future__ import annotations

import os

import pytest

from jingzhi.demo.loader import _MODEL_SOURCE, _start_training, _training_samples
from jingzhi.dispatch.classifier.model import train


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the demo fits the model in its own process")
def test_the_model_fitted_in_the_second_process_is_the_one_fitted_here() -> None:
    pending = _start_training()
    assert pending is not None
    there = pending.result(timeout=600)
    here = train(_training_samples(), source=_MODEL_SOURCE)
    for part in ("labels", "cross_validation", "thresholds", "threshold_basis"):
        assert there.metadata[part] == here.metadata[part], part
    assert there.metadata["training"]["source"] == _MODEL_SOURCE
    assert there.metadata["training"]["features"] == here.metadata["training"]["features"]
    for text in ("小区门口的路灯坏了一个月没人修", "公司拖欠工资三个月，社保也没交", "学校门口早晚高峰堵车严重"):
        assert [(s.label, round(s.confidence, 6)) for s in there.predict(text)] == [
            (s.label, round(s.confidence, 6)) for s in here.predict(text)], text
