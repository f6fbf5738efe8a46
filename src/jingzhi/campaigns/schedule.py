"""When a weekly report falls due and when a missing one is escalated, on the city's working calendar."""

from __future__ import annotations

from datetime import date, timedelta

from jingzhi.campaigns.models import Campaign
from jingzhi.core.workcalendar import WorkCalendar


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    if calendar is not None:
        return calendar
    from jingzhi.cases.sla import work_calendar

    return work_calendar()


def report_due_date(campaign: Campaign, week: date, *, calendar: WorkCalendar | None = None) -> date:
    """The campaign's report day in that week; on a holiday, the next working day."""
    cal = _calendar(calendar)
    due = week + timedelta(days=min(6, campaign.report_weekday))
    return due if cal.is_workday(due) else cal.next_workday(due)


def escalation_date(campaign: Campaign, week: date, *, calendar: WorkCalendar | None = None) -> date:
    """The day a still-missing report is escalated: the grace working days after the due date (at least one)."""
    cal = _calendar(calendar)
    day = report_due_date(campaign, week, calendar=cal)
    for _ in range(max(1, campaign.report_grace_working_days)):
        day = cal.next_workday(day)
    return day
