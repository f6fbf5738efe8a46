"""Weekly report reminders when due and escalation when late, by the periodic job; running it again changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import CampaignEvent, ReportNotice
from jingzhi.campaigns.reminders import report_sweep
from jingzhi.core.models import Notification
from jingzhi.core.scheduler import PERIODIC_JOBS

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _notices(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_reminder_on_the_due_day_then_escalation_after_the_grace_day(flagship: Any, city: Any) -> None:
    # Week of Monday 2022-03-07: reports due Friday the 11th; escalation one working day later (Monday the 14th).
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = report_sweep(now=datetime(2022, 3, 10, 9, tzinfo=TZ))
    # Thursday: this week is not due yet; last week (due 03-04, escalated from 03-07) is missing from both counties.
    assert (result.reminded, result.escalated) == (2, 2)
    ReportNotice.objects.all().delete()
    Notification.objects.all().delete()

    svc.report_submit(campaign=flagship.campaign, actor=flagship.county_b_handler, unit=flagship.county_b_gov,
                      week=date(2022, 3, 7), narrative="按计划推进", at=datetime(2022, 3, 11, 9, tzinfo=TZ))
    svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                      week=date(2022, 2, 28), narrative="上周", at=datetime(2022, 3, 4, 9, tzinfo=TZ))
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = report_sweep(now=datetime(2022, 3, 11, 10, tzinfo=TZ))
    # Reminded: 西丰 for this week, 开原 for last week — which is also past its grace day, so escalated.
    assert (result.reminded, result.escalated) == (2, 1)
    assert _notices(city.county_handler) == ["reminder"]
    assert _notices(flagship.county_b_handler) == ["reminder"]
    assert _notices(city.leader) == ["supervision"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        again = report_sweep(now=datetime(2022, 3, 11, 15, tzinfo=TZ))
    assert (again.reminded, again.escalated) == (0, 0)  # idempotent
    assert _notices(city.county_handler) == ["reminder"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        late = report_sweep(now=datetime(2022, 3, 14, 9, tzinfo=TZ))
    assert (late.reminded, late.escalated) == (0, 1)  # 西丰's report for the week of 03-07 is now late
    assert _notices(city.leader) == ["supervision", "supervision"]  # the 包保 leader
    assert _notices(flagship.registry_head) == ["supervision", "supervision"]  # the lead unit's head
    assert "supervision" not in _notices(flagship.registry_handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert report_sweep(now=datetime(2022, 3, 14, 16, tzinfo=TZ)).as_dict() == {"reminded": 0, "escalated": 0}
    assert ReportNotice.objects.filter(level="escalated").count() == 2
    assert CampaignEvent.objects.filter(campaign=flagship.campaign, action="report_escalation").count() == 4


def test_reporting_in_time_stops_the_reminder_and_done_sub_items_need_no_report(flagship: Any, city: Any) -> None:
    svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                      week=date(2022, 3, 7), narrative="x", statuses={flagship.a1.pk: "done", flagship.a2.pk: "done"},
                      at=datetime(2022, 3, 10, 9, tzinfo=TZ))
    svc.report_submit(campaign=flagship.campaign, actor=flagship.county_b_handler, unit=flagship.county_b_gov,
                      week=date(2022, 3, 7), narrative="x", at=datetime(2022, 3, 10, 9, tzinfo=TZ))
    svc.report_submit(campaign=flagship.campaign, actor=flagship.county_b_handler, unit=flagship.county_b_gov,
                      week=date(2022, 2, 28), narrative="x", at=datetime(2022, 3, 10, 9, tzinfo=TZ))
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = report_sweep(now=datetime(2022, 3, 15, 9, tzinfo=TZ))
    assert (result.reminded, result.escalated) == (0, 0)


def test_holiday_moves_the_due_day(flagship: Any, city: Any) -> None:
    # Week of 2022-10-03 is the National Day holiday: the Friday report falls due on Saturday 10-08 (调休 workday).
    from jingzhi.campaigns.schedule import escalation_date, report_due_date

    assert report_due_date(flagship.campaign, date(2022, 10, 3)) == date(2022, 10, 8)
    assert escalation_date(flagship.campaign, date(2022, 10, 3)) == date(2022, 10, 9)  # 10-09 is a make-up workday too


def test_the_job_is_listed_with_the_periodic_jobs() -> None:
    assert ("campaign_reports", "jingzhi.campaigns.tasks.run_report_sweep", 3600) in PERIODIC_JOBS


def test_key_projects_need_no_weekly_report_unless_asked(city: Any) -> None:
    from tests import factories as f

    unit = f.unit("XMB", "项目办", city.city)
    project = svc.campaign_create(actor=city.leader, kind="key_project", title="风电", investor="国家电投",
                                  lead_official=city.leader, lead_unit=unit, division=city.city,
                                  start=date(2022, 1, 1), deadline=date(2023, 1, 1))
    assert project.weekly_reports is False
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert report_sweep(now=datetime(2022, 3, 15, 9, tzinfo=TZ)).reminded == 0
    svc.campaign_create(actor=city.leader, kind="key_project", title="储能", investor="某公司", lead_official=city.leader,
                        lead_unit=unit, division=city.city, start=date(2022, 1, 1), deadline=date(2023, 1, 1),
                        weekly_reports=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        # The lead unit, for last week (due 03-11, late since 03-14); this week is not due before Friday.
        assert report_sweep(now=datetime(2022, 3, 15, 9, tzinfo=TZ)).as_dict() == {"reminded": 1, "escalated": 1}
