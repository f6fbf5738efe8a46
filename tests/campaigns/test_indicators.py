"""Indicator arithmetic: counts, sums, ratios with zero denominators, monthly plans, and the status rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import translation

from jingzhi.campaigns.indicators import Rag, Spec, compute, fmt, judge, plan_on

RATE = Spec(name="首次登记化解率", computation="ratio", numerator="resolved", denominator="blocked")
CERTS = Spec(name="已办证户数", computation="sum", numerator="certs", denominator=None, unit_of_measure="户")
DONE = Spec(name="完成小区数", computation="count", numerator=None, denominator=None, unit_of_measure="个")


def test_ratio_rolls_up_sums_not_average_of_ratios() -> None:
    items = [({"resolved": 9, "blocked": 10}, False), ({"resolved": 1, "blocked": 90}, False)]
    assert compute(RATE, items) == Decimal(10)  # 10 of 100, not the mean of 90 % and 1.1 %


def test_ratio_with_zero_denominator_is_none_and_shown_as_dash() -> None:
    assert compute(RATE, [({"resolved": 0, "blocked": 0}, False)]) is None
    assert compute(RATE, []) is None
    assert fmt(None, "%") == "—"
    verdict = judge(RATE, actual=None, plan=Decimal(50), margin_percent=Decimal(10))
    assert verdict.rag is Rag.GREY and "—" in verdict.reason


def test_sum_and_counts() -> None:
    items = [({"certs": "12"}, True), ({"certs": 3.5}, False), ({}, True), ({"certs": ""}, False)]
    assert compute(CERTS, items) == Decimal("15.5")
    assert compute(DONE, items) == 2
    with_metric = Spec(name="有办证的小区", computation="count", numerator="certs", denominator=None)
    assert compute(with_metric, items) == 2


def test_monthly_plan_interpolates_within_the_month() -> None:
    monthly = {date(2022, 1, 1): Decimal(10), date(2022, 2, 1): Decimal(20)}
    args = {"monthly": monthly, "baseline": Decimal(0), "target": Decimal(100), "start": date(2022, 1, 1),
            "deadline": date(2022, 12, 31)}
    assert plan_on(date(2022, 1, 31), **args) == 10  # type: ignore[arg-type]
    assert plan_on(date(2022, 2, 14), **args) == Decimal(10) + Decimal(10) * Decimal(14) / Decimal(28)  # type: ignore[arg-type]
    assert plan_on(date(2022, 6, 1), **args) == 20  # after the last month the plan stays  # type: ignore[arg-type]
    assert plan_on(date(2021, 12, 1), **args) == 0  # type: ignore[arg-type]


def test_plan_without_monthly_targets_is_linear() -> None:
    plan = plan_on(date(2022, 7, 2), monthly={}, baseline=Decimal(0), target=Decimal(364), start=date(2022, 1, 1),
                   deadline=date(2022, 12, 31))
    assert plan == Decimal(182)


def test_status_rules_and_reason() -> None:
    behind = judge(RATE, actual=Decimal(82), plan=Decimal(90), margin_percent=Decimal(10))
    assert behind.rag is Rag.AMBER  # 8 points behind, within 10 % of 90
    assert behind.reason == "首次登记化解率 82% vs plan 90%, behind by 8 percentage points"
    with translation.override("zh-hans"):  # the way the Chinese UI says it
        behind = judge(RATE, actual=Decimal(82), plan=Decimal(90), margin_percent=Decimal(10))
    assert behind.reason == "首次登记化解率 82% vs 计划 90%，落后 8 个百分点"
    assert judge(RATE, actual=Decimal(80), plan=Decimal(90), margin_percent=Decimal(10)).rag is Rag.RED
    ahead = judge(CERTS, actual=Decimal(1500), plan=Decimal(1200), margin_percent=Decimal(10))
    assert ahead.rag is Rag.GREEN and "ahead by 300户" in ahead.reason
    lower = Spec(name="积案数", computation="sum", numerator="x", denominator=None, direction="down")
    assert judge(lower, actual=Decimal(5), plan=Decimal(10), margin_percent=Decimal(10)).rag is Rag.GREEN
    assert judge(lower, actual=Decimal(12), plan=Decimal(10), margin_percent=Decimal(10)).rag is Rag.RED
