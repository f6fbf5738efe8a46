"""A task's life after delivery: 叫应 (acknowledge), on the way, on site, the on-site report; escalation when nobody
answers within the rule's window; and the seasonal preparation tasks. Every step is a TaskEvent with its time.

Services take `now=` so tests and the demo control the clock; the periodic jobs pass nothing (the real time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.services.intake import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES
from jingzhi.core import notify
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.earlywarning.models import (
    ESCALATION_ORDER,
    InspectionTask,
    PreparationTask,
    SeasonalRule,
    SiteOfficial,
    TaskEvent,
    TaskPhoto,
    TaskStatus,
    Warning,
)
from jingzhi.org.models import Responsibility, Role, User

if TYPE_CHECKING:
    from jingzhi.cases.models import Case

ORDER: list[str] = list(ESCALATION_ORDER)
# status → the steps the official may take from it (a step may skip ahead: acknowledging on arrival is fine).
TRANSITIONS: dict[str, set[str]] = {
    TaskStatus.NOT_ACKNOWLEDGED: {TaskStatus.ACKNOWLEDGED, TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE},
    TaskStatus.ACKNOWLEDGED: {TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE},
    TaskStatus.ON_THE_WAY: {TaskStatus.ON_SITE},
    TaskStatus.ON_SITE: {TaskStatus.REPORTED},
}
STAMP = {TaskStatus.ACKNOWLEDGED: "acknowledged_at", TaskStatus.ON_THE_WAY: "on_the_way_at",
         TaskStatus.ON_SITE: "on_site_at", TaskStatus.REPORTED: "reported_at"}
EVENT = {TaskStatus.ACKNOWLEDGED: TaskEvent.Kind.ACKNOWLEDGED, TaskStatus.ON_THE_WAY: TaskEvent.Kind.ON_THE_WAY,
         TaskStatus.ON_SITE: TaskEvent.Kind.ON_SITE, TaskStatus.REPORTED: TaskEvent.Kind.REPORTED}


def _own_task(actor: User, task_id: int) -> InspectionTask:
    """The actor's own task, locked. Someone else's visible task is a 403; an invisible one a 404."""
    task = InspectionTask.objects.visible_to(actor).select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("No such task."))
    if task.official_id != actor.pk:
        raise PermissionDenied(_("Only the official the task was sent to answers it."))
    return task


def _step(task: InspectionTask, to: str, *, actor: User, now: datetime, channel: str, note: str = "") -> InspectionTask:
    if to not in TRANSITIONS.get(task.status, set()):
        raise InvalidTransition(_("The task is “%(status)s”; it cannot become “%(to)s”.") % {
            "status": task.get_status_display(), "to": TaskStatus(to).label})
    fields = ["status"]
    for step in (TaskStatus.ACKNOWLEDGED, TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE, TaskStatus.REPORTED):
        # Skipping ahead acknowledges too: arriving on site answers the call.
        if getattr(task, STAMP[step]) is None and step in (TaskStatus.ACKNOWLEDGED, to):
            setattr(task, STAMP[step], now)
            fields.append(STAMP[step])
            TaskEvent.objects.create(task=task, kind=EVENT[step], at=now, actor=actor, channel=channel, note=note[:300])
        if step == to:
            break
    task.status = to
    task.save(update_fields=fields)
    return task


def task_acknowledge(*, actor: User, task_id: int, channel: str = "web", now: datetime | None = None) -> InspectionTask:
    """叫应: the official answers the call. Acknowledging twice is harmless (the first time is kept)."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.acknowledged_at is not None and task.status != TaskStatus.ENDED:
            return task
        return _step(task, TaskStatus.ACKNOWLEDGED, actor=actor, now=now, channel=channel[:20])


def task_progress(*, actor: User, task_id: int, to: str, now: datetime | None = None) -> InspectionTask:
    """On the way / on site."""
    if to not in (TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE):
        raise ValidationFailed(_("A task goes on the way or on site here; the report closes it."))
    now = now or timezone.now()
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.status == to:
            return task
        return _step(task, to, actor=actor, now=now, channel="web")


@dataclass(frozen=True)
class Report:
    situation: str
    people_moved: int = 0
    hazard: str = ""
    photos: Sequence[UploadedFile] = ()


# Photos only, with the size limit of case attachments (cases.services.intake): a report is read on a phone.
PHOTO_TYPES = {s for s in ATTACHMENT_TYPES if s in {".jpg", ".jpeg", ".png", ".gif", ".webp"}}
PHOTO_MAX_COUNT = 6


def _photo_errors(photos: Sequence[UploadedFile]) -> str | None:
    if len(photos) > PHOTO_MAX_COUNT:
        return _("Attach at most %(max)d photos (you chose %(n)d).") % {"max": PHOTO_MAX_COUNT, "n": len(photos)}
    for f in photos:
        name = f.name or ""
        suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if suffix not in PHOTO_TYPES:
            return _("“%(name)s” is not a photo (JPEG, PNG, GIF or WebP).") % {"name": name[:80]}
        if (f.size or 0) > ATTACHMENT_MAX_BYTES:
            return _("“%(name)s” is larger than 10 MB.") % {"name": name[:80]}
    return None


def task_report(*, actor: User, task_id: int, report: Report, channel: str = "web",
                now: datetime | None = None) -> InspectionTask:
    """The on-site report closes the task; a reported hazard becomes a case dispatched to the site's emergency unit."""
    now = now or timezone.now()
    situation, hazard = report.situation.strip(), report.hazard.strip()
    errors: dict[str, str] = {}
    if not situation:
        errors["situation"] = _("Describe the situation on site.")
    if not 0 <= report.people_moved <= 100000:
        errors["people_moved"] = _("People moved must be between 0 and 100000.")
    if (photo_error := _photo_errors(report.photos)) is not None:
        errors["photos"] = photo_error
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    with transaction.atomic():
        task = _own_task(actor, task_id)
        if task.status == TaskStatus.REPORTED:
            return task  # a retried submission
        if task.status != TaskStatus.ON_SITE:
            raise InvalidTransition(_("Report from the site: mark the task “on site” first."))
        task.situation, task.people_moved, task.hazard = situation[:5000], report.people_moved, hazard[:2000]
        task.save(update_fields=["situation", "people_moved", "hazard"])
        for f in report.photos:
            TaskPhoto.objects.create(task=task, file=f, name=(f.name or "")[:200], size=f.size or 0, uploaded_by=actor,
                                     created_at=now)
        _step(task, TaskStatus.REPORTED, actor=actor, now=now, channel=channel, note=situation[:300])
        if hazard:
            task.hazard_case = _hazard_case(task, hazard)
            task.save(update_fields=["hazard_case"])
    return task


def _hazard_case(task: InspectionTask, hazard: str) -> Case:
    from jingzhi.cases.models import Channel, Kind, Priority, Status
    from jingzhi.cases.services import case_create, case_dispatch

    site = task.site
    case, _created = case_create(
        actor=None, channel=Channel.PROACTIVE, kind=Kind.REPORT, priority=Priority.EMERGENCY,
        title=(_("Hazard at %(site)s") % {"site": site.name})[:200],
        content=_("%(warning)s — reported on site by %(official)s: %(hazard)s") % {
            "warning": task.warning.headline, "official": task.official, "hazard": hazard},
        division_code=site.division.code, address=site.address or site.name,
        lat=site.latitude, lng=site.longitude, idempotency_key=f"warning-task-{task.pk}-hazard")
    if site.emergency_unit is not None and case.status == Status.ACCEPTED:
        case = case_dispatch(case=case, unit=site.emergency_unit, actor=None, note=_("Hazard found during a warning"))
    return case


# ---------------------------------------------------------------- escalation


def _escalation_targets(task: InspectionTask) -> list[int]:
    """The next 包保 level up for the site (else the 包保 officials of its division's ancestors) and the duty office
    (the hotline centre's dispatchers, and supervisors whose division contains the site)."""
    above = ORDER[ORDER.index(task.level) + 1:] if task.level in ORDER else []
    targets: list[int] = []
    for level in above:
        targets = list(SiteOfficial.objects.filter(site_id=task.site_id, level=level, responsibility__is_active=True)
                       .values_list("responsibility__official_id", flat=True))
        if targets:
            break
    if not targets:
        codes = [c for c in task.site.division.path.strip("/").split("/") if c]
        targets = list(Responsibility.objects.filter(target_type=Responsibility.TargetType.DIVISION, is_active=True,
                                                     division__code__in=codes)
                       .exclude(official_id=task.official_id).values_list("official_id", flat=True))
    duty = User.objects.filter(is_active=True, role=Role.DISPATCHER).values_list("pk", flat=True)
    codes = [c for c in task.site.division.path.strip("/").split("/") if c]
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR, division__code__in=codes).values_list("pk", flat=True)
    return sorted({*targets, *duty, *supervisors} - {task.official_id})


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Every task not acknowledged within its window is escalated once: the next level and the duty office are
    alerted (in-app and by voice call through the gateway), and the escalation is recorded. Returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        tasks = list(InspectionTask.objects.select_for_update(of=("self",)).select_related("site__division", "official", "warning")
                     .filter(status=TaskStatus.NOT_ACKNOWLEDGED, ack_due_at__lte=now, escalated_at__isnull=True,
                             warning__status=Warning.Status.ACTIVE))
        outgoing, calls, events = [], [], []
        for task in tasks:
            targets = _escalation_targets(task)
            message = _("Not acknowledged (叫应) in time: %(official)s for %(site)s — %(warning)s") % {
                "official": task.official, "site": task.site.name, "warning": task.warning.headline}
            outgoing.append(notify.Outgoing(recipient_ids=tuple(targets), kind="warning_escalation", message=message,
                                            subject_type="warning", subject_ref=task.warning.identifier[:64]))
            calls += [(pk, message, task.warning.identifier) for pk in targets]
            events.append(TaskEvent(task=task, kind=TaskEvent.Kind.ESCALATED, at=now, channel="in_app+voice",
                                    note=(_("Alerted: %(who)s") % {"who": ", ".join(str(u) for u in User.objects.filter(pk__in=targets))})[:300]))
            task.escalated_at = now
            count += 1
        InspectionTask.objects.bulk_update(tasks, ["escalated_at"], batch_size=1000)
        TaskEvent.objects.bulk_create(events, batch_size=2000)
        notify.notify_many(outgoing)
        if calls:
            from jingzhi.earlywarning.gateway import send_all

            # Recorded with the escalation, called by the task queue after the commit (core/gateway.py).
            phones = dict(User.objects.filter(pk__in={pk for pk, _m, _a in calls}).values_list("pk", "phone"))
            send_all(((pk, phones.get(pk, ""), m, about) for pk, m, about in calls), kind="voice",
                     message_kind="warning_escalation")
    return count


# ---------------------------------------------------------------- seasonal expectations


def _season_start(rule: SeasonalRule, today: date) -> date:
    """The next start of the rule's season on or after today (this year's, or next year's once it has passed)."""
    def on(year: int) -> date:
        try:
            return date(year, rule.start_month, rule.start_day)
        except ValueError:  # 29 February, 31 April…: the month's 28th, which every year has
            return date(year, rule.start_month, 28)

    start = on(today.year)
    return start if start >= today else on(today.year + 1)


def raise_seasonal(*, now: datetime | None = None) -> int:
    """Raise each season's preparation task to its unit `lead_days` before the season starts (once a year)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    raised = 0
    for rule in SeasonalRule.objects.filter(is_active=True).select_related("unit"):
        start = _season_start(rule, today)
        if start - timedelta(days=rule.lead_days) > today:
            continue
        with transaction.atomic():
            _task, created = PreparationTask.objects.get_or_create(
                rule=rule, year=start.year, defaults={"unit": rule.unit, "season_starts": start, "raised_at": now})
            if created:
                raised += 1
                unit_id = rule.unit_id
                notify.notify_after_commit(
                    recipients=lambda unit_id=unit_id: User.objects.filter(unit_id=unit_id, is_active=True,  # type: ignore[misc]
                                                                           role__in=[Role.UNIT_HEAD, Role.HANDLER])
                    .values_list("pk", flat=True),
                    kind="seasonal_preparation",
                    message=_("%(name)s from %(start)s: %(what)s") % {"name": rule.name, "start": start.isoformat(),
                                                                     "what": rule.instructions})
    return raised
