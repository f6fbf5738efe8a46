"""Weekly report reminders and escalation: a periodic job (registered with core.scheduler by CampaignsConfig.ready()), idempotent.

For the current and the previous week of every campaign under way, each unit that answers for an unfinished
sub-item (or, without sub-items, the lead unit) and has not reported is reminded from the due date on, and
escalated to the lead unit's head and the 包保 leader once the grace working days have passed. A
ReportNotice row per (campaign, unit, week, level), guarded by a unique constraint, makes every notice go out
once however often the job runs, and on however many workers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.campaigns.models import Campaign, CampaignStatus, ProgressReport, ReportNotice, SubItem
from jingzhi.campaigns.schedule import escalation_date, report_due_date
from jingzhi.campaigns.services.common import record
from jingzhi.cases.sla import work_calendar
from jingzhi.core.models import Notification
from jingzhi.core.notify import notify_after_commit
from jingzhi.org.models import Role, Unit, User


@dataclass
class ReportSweepResult:
    reminded: int = 0
    escalated: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _staff(unit_id: int, *, heads_only: bool = False) -> list[int]:
    roles = [Role.UNIT_HEAD] if heads_only else [Role.HANDLER, Role.UNIT_HEAD]
    return list(User.objects.filter(unit_id=unit_id, role__in=roles, is_active=True).values_list("pk", flat=True))


def _escalation_recipients(campaign: Campaign, unit_id: int) -> list[int]:
    """The lead unit's head, the 包保 leader, and the late unit's own head."""
    return [*_staff(campaign.lead_unit_id, heads_only=True), campaign.lead_official_id, *_staff(unit_id, heads_only=True)]


def _notice(campaign: Campaign, unit: Unit, week: date, level: str, now: datetime) -> bool:
    """Write the notice row; False if another run already did (the unique constraint decides)."""
    try:
        with transaction.atomic():
            ReportNotice.objects.create(campaign=campaign, unit=unit, week=week, level=level, sent_at=now)
    except IntegrityError:
        return False
    return True


def report_sweep(*, now: datetime | None = None) -> ReportSweepResult:
    """Remind units whose weekly report is due and escalate those that are late. Safe to run any number of times."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    calendar = work_calendar()
    result = ReportSweepResult()
    this_week = today - timedelta(days=today.weekday())
    campaigns = Campaign.objects.filter(status=CampaignStatus.ACTIVE, weekly_reports=True, start__lte=today,
                                        deadline__gte=today - timedelta(days=14)).select_related("lead_unit")
    for campaign in campaigns:
        expected = set(SubItem.objects.filter(campaign=campaign).exclude(status=SubItem.Status.DONE)
                       .values_list("responsible_unit_id", flat=True))
        if not SubItem.objects.filter(campaign=campaign).exists():
            expected = {campaign.lead_unit_id}
        if not expected:
            continue
        units = {u.pk: u for u in Unit.objects.filter(pk__in=expected)}
        for week in (this_week - timedelta(days=7), this_week):
            if week + timedelta(days=6) < campaign.start or week > campaign.deadline:
                continue
            due = report_due_date(campaign, week, calendar=calendar)
            if today < due:
                continue
            reported = set(ProgressReport.objects.filter(campaign=campaign, week=week).values_list("unit_id", flat=True))
            late = today >= escalation_date(campaign, week, calendar=calendar)
            for unit_id in sorted(expected - reported):
                unit = units[unit_id]
                values = {"campaign": campaign.title, "unit": unit.name, "week": week.isoformat(), "due": due.isoformat()}
                with transaction.atomic():
                    if _notice(campaign, unit, week, ReportNotice.Level.REMINDED, now):
                        result.reminded += 1
                        notify_after_commit(
                            recipients=partial(_staff, unit_id), kind=Notification.Kind.REMINDER,
                            message=_("Weekly report due %(due)s for “%(campaign)s” (week of %(week)s).") % values,
                        )
                        record(campaign, action="report_reminder", actor=None, at=now,
                               data={"unit": unit.code, "week": week.isoformat()})
                    if late and _notice(campaign, unit, week, ReportNotice.Level.ESCALATED, now):
                        result.escalated += 1
                        notify_after_commit(
                            recipients=partial(_escalation_recipients, campaign, unit_id),
                            kind=Notification.Kind.SUPERVISION,
                            message=_("Late: %(unit)s has not filed the weekly report for “%(campaign)s” "
                                      "(week of %(week)s, due %(due)s).") % values,
                        )
                        record(campaign, action="report_escalation", actor=None, at=now,
                               data={"unit": unit.code, "week": week.isoformat()})
    return result
