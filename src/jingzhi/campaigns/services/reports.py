"""Weekly progress reports: a responsible unit's figures for its sub-items, what happened, what blocks it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.campaigns.models import Campaign, Metric, ProgressReport, ReportLine, SubItem
from jingzhi.campaigns.schedule import report_due_date
from jingzhi.campaigns.services.common import lock_campaign, may_report_for, record, require_visible
from jingzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Unit, User


def week_of(d: date) -> date:
    """The Monday of the week `d` falls in: reports are keyed by it."""
    return d - timedelta(days=d.weekday())


def report_submit(
    *, campaign: Campaign, actor: User, unit: Unit, week: date, narrative: str, obstacles: str = "",
    figures: Mapping[int, Mapping[str, object]] | None = None, statuses: Mapping[int, str] | None = None,
    at: datetime | None = None, correction_reason: str = "",
) -> ProgressReport:
    """File one unit's report for one week. `figures`: sub-item id → metric key → value as it now stands.

    The figures move the sub-items' current numbers; the report keeps them so the trend can be replayed.
    A week already reported is corrected by filing again with `correction_reason`: the correction is a new
    version (the earlier one stays, no longer current, and the trend replays the current one). A correction
    keeps the first version's on-time mark: correcting a figure does not make a punctual unit late.
    """
    require_visible(campaign, actor)
    if not may_report_for(campaign, actor, unit):
        raise PermissionDenied(_("Your unit does not report for this campaign."))
    at = at or timezone.now()
    week = week_of(week)
    narrative, obstacles = clean_text(narrative, multiline=True), clean_text(obstacles, multiline=True)
    errors: dict[str, str] = {}
    if not narrative:
        errors["narrative"] = _("Say what was done this week.")
    elif len(narrative) > 5000:
        errors["narrative"] = _("At most 5000 characters.")
    if len(obstacles) > 5000:
        errors["obstacles"] = _("At most 5000 characters.")
    if week < week_of(campaign.start) or week > week_of(timezone.localtime(at).date()):
        errors["week"] = _("Choose a week between the campaign's start and this week.")
    correction_reason = clean_text(correction_reason, multiline=True)
    if len(correction_reason) > 1000:
        errors["correction_reason"] = _("At most 1000 characters.")
    own = {s.pk: s for s in SubItem.objects.filter(campaign=campaign, responsible_unit=unit)}
    if unit.pk == campaign.lead_unit_id:  # the lead unit may report for every sub-item
        own = {s.pk: s for s in SubItem.objects.filter(campaign=campaign)}
    keys = set(Metric.objects.filter(campaign=campaign).values_list("key", flat=True))
    lines: list[tuple[SubItem, str, Decimal]] = []
    for sub_id, values in (figures or {}).items():
        item = own.get(int(sub_id))
        if item is None:
            errors["figures"] = _("A figure is for a sub-item your unit does not answer for.")
            continue
        for key, raw in values.items():
            if raw in (None, ""):
                continue
            field = f"f_{sub_id}_{key}"
            if key not in keys:
                errors[field] = _("The campaign has no figure “%(key)s”.") % {"key": key}
                continue
            try:
                value = Decimal(str(raw).replace(",", "").strip())
            except InvalidOperation:
                errors[field] = _("%(item)s: “%(value)s” is not a number.") % {"item": item.name, "value": raw}
                continue
            if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
                errors[field] = _("%(item)s: enter a number that is not negative.") % {"item": item.name}
                continue
            lines.append((item, key, value))
    for sub_id, status in (statuses or {}).items():
        if int(sub_id) not in own:
            errors["statuses"] = _("A status is for a sub-item your unit does not answer for.")
        elif status not in SubItem.Status.values:
            errors["statuses"] = _("Unknown status.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    due = report_due_date(campaign, week)
    try:
        with transaction.atomic():
            lock_campaign(campaign, actor=actor)
            previous = (ProgressReport.objects.select_for_update()
                        .filter(campaign=campaign, unit=unit, week=week, is_current=True).first())
            if previous is not None and not correction_reason:
                raise InvalidTransition(
                    _("%(unit)s has already reported for the week of %(week)s. To correct it, give the reason for the correction.")
                    % {"unit": unit.name, "week": week.isoformat()},
                    fields={"correction_reason": _("Say what the correction changes and why.")})
            if previous is None and correction_reason:
                correction_reason = ""  # nothing to correct: a first report carries no reason
            on_time = timezone.localtime(at).date() <= due
            if previous is not None:
                first = ProgressReport.objects.filter(campaign=campaign, unit=unit, week=week, version=1).first()
                on_time = first.on_time if first is not None else previous.on_time
                ProgressReport.objects.filter(pk=previous.pk).update(is_current=False)
            report = ProgressReport.objects.create(
                campaign=campaign, unit=unit, week=week, narrative=narrative, obstacles=obstacles, submitted_by=actor,
                submitted_at=at, on_time=on_time, version=previous.version + 1 if previous is not None else 1,
                amendment_reason=correction_reason,
            )
            ReportLine.objects.bulk_create([ReportLine(report=report, sub_item=i, metric=k, value=v) for i, k, v in lines])
            # Only a report for the latest week moves the current figures: a late report for an old week
            # must not overwrite newer numbers.
            latest = not ProgressReport.objects.filter(campaign=campaign, week__gt=week, is_current=True).exists()
            touched: dict[int, SubItem] = {}
            for item, key, value in lines:
                if latest:
                    item.metrics = {**(item.metrics or {}),
                                    key: str(int(value)) if value == value.to_integral() else str(value.normalize())}
                    touched[item.pk] = item
            for sub_id, status in (statuses or {}).items():
                item = own[int(sub_id)]
                item.status = status
                touched[item.pk] = item
            for item in touched.values():
                item.save(update_fields=["metrics", "status", "updated_at"])
            record(campaign, action="report_correct" if previous is not None else "report", actor=actor, at=at,
                   data={"unit": unit.code, "week": str(week), "lines": len(lines), "on_time": report.on_time,
                         "version": report.version, **({"reason": correction_reason} if previous is not None else {})})
    except IntegrityError:
        raise InvalidTransition(_("%(unit)s has already reported for the week of %(week)s.") % {
            "unit": unit.name, "week": week.isoformat()}) from None
    return report
