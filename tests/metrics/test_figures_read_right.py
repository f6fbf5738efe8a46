"""Issue 11 #7: figures that no longer confuse — the return rate over what a unit received, percentages."""

from __future__ import annotations

from jingzhi.metrics.engine import compute
from jingzhi.metrics.models import MetricPolicy
from jingzhi.metrics.rollup import COUNTERS
from jingzhi.web.templatetags.jingzhi_web import percent


def _counts(**kw: int) -> dict[str, int]:
    return {name: kw.get(name, 0) for name in COUNTERS}


def test_a_unit_that_received_nothing_has_no_return_rate() -> None:
    # 科技局: one misdirected case, rightly sent back, nothing of its own: "—", not 100 %.
    assert compute(_counts(returned=1), MetricPolicy()).return_rate is None


def test_the_return_rate_is_over_what_the_unit_received() -> None:
    m = compute(_counts(received=9, acknowledged=9, returned=1), MetricPolicy())
    assert m.return_rate == 1 / 10


def test_percent_filter_never_shows_a_raw_decimal() -> None:
    assert percent(0.8734) == "87.3%"
    assert percent("0.9", 0) == "90%"
    assert percent(None) == "—" and percent("") == "—"
