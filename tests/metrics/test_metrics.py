"""Each metric against values computed by hand on the awkward data set (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.metrics import engine, selectors
from jingzhi.metrics.engine import Scope
from tests.metrics.conftest import PERIOD

pytestmark = pytest.mark.django_db


def unit_scope(unit: Any) -> Scope:
    return Scope(unit_ids=(unit.pk,))


def test_housing_bureau_by_hand(data: Any) -> None:
    m = engine.summary(unit_scope(data.city.housing), PERIOD)
    c = m.counts
    assert m.volume == 3  # cases 1, 2, 3; the merged duplicate has no unit and is not counted anyway
    assert (c["acknowledged"], c["acknowledged_on_time"]) == (3, 2)
    assert (c["replied"], c["replied_on_time"]) == (4, 4)  # case 2 replied twice (before and after the reopen)
    assert (c["followed_up"], c["contacted"], c["resolved"], c["partly"], c["satisfied"], c["basically"]) == (4, 3, 1, 1, 1, 1)
    assert m.response == pytest.approx(0.75)
    assert m.resolution == pytest.approx((1 + 0.5) / 4)
    assert m.satisfaction == pytest.approx((1 + 0.9) / 4)
    assert m.composite == pytest.approx(100 * (0.1 * 0.75 + 0.5 * 0.375 + 0.4 * 0.475))
    assert m.ack_on_time == pytest.approx(2 / 3)
    assert m.reply_on_time == pytest.approx(1.0)
    assert m.return_rate == pytest.approx(0.0)
    assert m.reopen_rate == pytest.approx(0.25)
    assert m.extension_rate == pytest.approx(0.25)
    # Working hours from dispatch: acknowledge 1.0, 4.0, 0.5; reply 10.0, 11.0, 14.0, 8.0 (the holiday does not count).
    assert m.ack_median_h == pytest.approx(1.0)
    assert m.ack_p90_h == pytest.approx(4.0)
    assert m.reply_median_h == pytest.approx(10.5)
    assert m.reply_p90_h == pytest.approx(14.0)


def test_environment_bureau_return_rate_and_city_totals(data: Any) -> None:
    env = engine.summary(unit_scope(data.city.env), PERIOD)
    assert env.counts["returned"] == 1
    assert env.return_rate == pytest.approx(0.5)  # one return, one acknowledgement
    assert env.composite == pytest.approx(100.0)
    city = engine.summary(Scope(everything=True), PERIOD)
    assert city.volume == 5  # six cases received, one merged as a duplicate
    assert city.counts["merged"] == 1
    assert city.counts["emergencies"] == 1
    assert city.counts["followed_up"] == 5


def test_overdue_and_flagged_now(data: Any) -> None:
    snap = engine.snapshot(Scope(everything=True))
    # Followed-up cases are still open (awaiting close or reopen) but no clock runs; the emergency is overdue.
    assert snap == {"open": 5, "overdue": 1, "flagged": 0}
    county_b = engine.snapshot(Scope(division=data.city.county_b))
    assert county_b == {"open": 2, "overdue": 0, "flagged": 0}
    by_unit = engine.snapshot(Scope(everything=True), "unit_id")
    assert by_unit[data.city.county_gov.pk] == {"open": 1, "overdue": 1, "flagged": 0}


def test_division_roll_up_through_the_tree(data: Any) -> None:
    rows = {r.obj.code: r for r in selectors.division_rows(Scope(everything=True), PERIOD)}
    assert rows["211223"].metrics.volume == 3  # cases 1, 2 and the emergency (the duplicate is merged)
    assert rows["211282"].metrics.volume == 2  # cases 3 and 5
    assert rows["211282"].metrics.counts["followed_up"] == 2


def test_ranking_minimum_volume_and_change(data: Any) -> None:
    ranking = selectors.unit_ranking(Scope(everything=True), PERIOD)
    by_code = {r.obj.code: r for r in ranking}
    assert by_code["ZJJ"].rank == 1 and by_code["ZJJ"].ranked
    # The environment bureau scores 100 but has one follow-up, below the minimum of 2: listed, not ranked.
    assert by_code["STHJ"].rank is None and not by_code["STHJ"].ranked
    assert ranking[0].obj.code == "ZJJ"
    # Nothing in the previous period: no change to report.
    assert by_code["ZJJ"].change is None


def test_category_rows_cover_every_received_case(data: Any) -> None:
    rows = selectors.category_rows(Scope(everything=True), PERIOD)
    assert sum(r.metrics.volume for r in rows) == 5


def test_periods() -> None:
    from datetime import date

    from jingzhi.core.errors import ValidationFailed
    from jingzhi.metrics.periods import parse_period

    q = parse_period({"period": "quarter", "date": "2024-11-15"})
    assert (q.start, q.end) == (date(2024, 10, 1), date(2024, 12, 31))
    assert (q.previous().start, q.previous().end) == (date(2024, 7, 1), date(2024, 9, 30))
    w = parse_period({"period": "week", "date": "2024-10-02"})
    assert (w.start, w.end) == (date(2024, 9, 30), date(2024, 10, 6))
    with pytest.raises(ValidationFailed) as e:
        parse_period({"period": "custom", "start": "2024-10-08", "end": "2024-10-01"})
    assert "end" in e.value.fields
    with pytest.raises(ValidationFailed):
        parse_period({"period": "fortnight"})


def test_weights_are_data(data: Any) -> None:
    """Changing the policy row changes the composite score; the admin form refuses weights that do not add up."""
    from decimal import Decimal

    from jingzhi.metrics.admin import MetricPolicyForm

    pol = engine.policy()
    pol.response_weight, pol.resolution_weight, pol.satisfaction_weight = Decimal("0.2"), Decimal("0.3"), Decimal("0.5")
    pol.save()
    m = engine.summary(unit_scope(data.city.housing), PERIOD, with_durations=False)
    assert m.composite == pytest.approx(100 * (0.2 * 0.75 + 0.3 * 0.375 + 0.5 * 0.475))
    form = MetricPolicyForm(data={"response_weight": "0.5", "resolution_weight": "0.5", "satisfaction_weight": "0.4",
                                  "partly_resolved_credit": "0.5", "basically_satisfied_credit": "0.9", "min_volume": "10"},
                            instance=pol)
    assert not form.is_valid()


def test_latest_brief_day_is_the_last_complete_window() -> None:
    from datetime import date

    from jingzhi.metrics.reports import brief_window, latest_brief_day
    from tests.cases.helpers import sh

    assert latest_brief_day(sh(2024, 10, 8, 11, 59)) == date(2024, 10, 7)
    assert latest_brief_day(sh(2024, 10, 8, 12, 0)) == date(2024, 10, 8)
    assert brief_window(date(2024, 10, 8)) == (sh(2024, 10, 7, 12), sh(2024, 10, 8, 12))
