"""Intake: every channel (operator form, public page, import, Open311) creates cases through case_create."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from jingzhi.cases import hooks, numbers, requesters, sla
from jingzhi.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    Channel,
    ContactPreference,
    Kind,
    Priority,
    Review,
    Status,
)
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text, normalize_phone, validate_id_number, validate_phone
from jingzhi.org.access import role_of
from jingzhi.org.models import Division, Enterprise, Role, User
from jingzhi.org.selectors import division_by_code
from jingzhi.taxonomy.models import Category

TITLE_MAX = 200
CONTENT_MAX = 5000
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".mp3", ".amr"}
# Channels where the requester must leave a phone number: we have to call them back.
PHONE_REQUIRED = {Channel.HOTLINE, Channel.WEB, Channel.APP, Channel.WINDOW}
INTAKE_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.ADMIN}
# The same requester sending the same text again within this time is the same submission (the browser's back
# button and a second click on "register" give a fresh form token, or none survives): the first case is returned.
RESUBMIT_WINDOW = timedelta(minutes=10)
DUPLICATE_ADDED = "duplicate_added"  # the event on an original when a new call is registered as its duplicate
# A tag such as <script>, </b> or <img src=x onerror=...>: an attack or a paste from a web page. A lone "<" or ">"
# in plain text (温度<15度, "<A4区...") is not markup and stays accepted.
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")


def _clean(value: str | None) -> str:
    # Control, bidi-override and zero-width characters arrive from copy-paste and break exports and XML.
    return clean_text(value)


def next_case_number(at: datetime) -> str:
    """TL20221215-000123-4827: the city's prefix, the local date, that day's running number, and a random
    part with its check character (cases/numbers.py).

    One statement takes the number: an upsert that adds 1 to the day's counter and returns it. Called before the
    case's own transaction opens, it commits at once, so the counter's row is locked for that statement only, not
    through the case's inserts and commit (issue 12: 11 of 16 sessions queued there). The price is a gap: a number
    taken by a create that then fails is never used. Gaps are harmless — numbers are unique and ordered, not
    counted — and the day's count of cases comes from the cases, not from the counter. Inside an outer transaction
    (an import, the demo) the row stays locked until that commits, as before.
    """
    day = timezone.localtime(at).date()
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        # PostgreSQL and SQLite (≥ 3.35) both speak INSERT … ON CONFLICT … RETURNING.
        cursor.execute(
            # The table name is the model's own, quoted by the backend; the day is a parameter.
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",  # noqa: S608
            [day],
        )
        last = cursor.fetchone()[0]
    return numbers.compose(str(settings.JINGZHI["CASE_PREFIX"]), day, last)


def _validate(
    *,
    channel: str,
    kind: str,
    priority: str,
    title: str,
    content: str,
    division_code: str,
    requester_phone: str,
    requester_id_number: str,
    lat: object,
    lng: object,
    attachments: Sequence[UploadedFile],
) -> tuple[dict[str, str], Division | None, Decimal | None, Decimal | None]:
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if kind not in Kind.values:
        errors["kind"] = _("Choose the kind of request.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if not title:
        errors["title"] = _("Please enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title may have at most %(max)d characters (it has %(n)d).") % {"max": TITLE_MAX, "n": len(title)}
    if not content:
        errors["content"] = _("Please describe the request.")
    elif len(content) > CONTENT_MAX:
        errors["content"] = _("The description may have at most %(max)d characters (it has %(n)d).") % {
            "max": CONTENT_MAX,
            "n": len(content),
        }
    division = None
    if not division_code:
        errors["division"] = _("Choose the division (place) the request is about.")
    else:
        division = division_by_code(division_code)
        if division is None:
            errors["division"] = _("There is no division with the code “%(code)s”.") % {"code": division_code}
    if requester_phone:
        try:
            validate_phone(requester_phone)
        except ValidationError as e:
            errors["requester_phone"] = str(e.messages[0])
    elif channel in PHONE_REQUIRED:
        errors["requester_phone"] = _("Please leave a phone number so that we can reply.")
    if requester_id_number:
        try:
            validate_id_number(requester_id_number)
        except ValidationError as e:
            errors["requester_id_number"] = str(e.messages[0])
    lat_d = lng_d = None
    if lat not in (None, "") or lng not in (None, ""):
        try:
            lat_d, lng_d = Decimal(str(lat)), Decimal(str(lng))
            if not (-90 <= lat_d <= 90 and -180 <= lng_d <= 180):
                raise InvalidOperation
            lat_d, lng_d = lat_d.quantize(Decimal("0.000001")), lng_d.quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            errors["location"] = _("Latitude must be between -90 and 90 and longitude between -180 and 180.")
    for f in attachments:
        name = f.name or ""
        suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if suffix not in ATTACHMENT_TYPES:
            errors["attachments"] = _("“%(name)s” is not an accepted file type (photos, PDF, Office documents, audio).") % {
                "name": f.name
            }
        elif (f.size or 0) > ATTACHMENT_MAX_BYTES:
            errors["attachments"] = _("“%(name)s” is larger than 10 MB.") % {"name": f.name}
    return errors, division, lat_d, lng_d


def case_create(
    *,
    actor: User | None,
    channel: str,
    kind: str,
    title: str,
    content: str,
    division_code: str,
    priority: str = Priority.NORMAL,
    requester_name: str = "",
    requester_phone: str = "",
    requester_id_number: str = "",
    contact_preference: str = ContactPreference.SMS,
    address: str = "",
    enterprise: Enterprise | None = None,
    category: Category | None = None,
    lat: object = None,
    lng: object = None,
    attachments: Sequence[UploadedFile] = (),
    idempotency_key: str | None = None,
    received_at: datetime | None = None,
    screen: Sequence[str] | None = None,
    duplicate_of: str = "",
    recognise_resubmit: bool = False,
) -> tuple[Case, bool]:
    """Register a request. Returns (case, created); a retry with the same idempotency key returns the first case.

    `recognise_resubmit` (the web forms): the same actor sending the same requester's same text again within
    RESUBMIT_WINDOW also gets the first case back, whatever its form token (the back button, a reloaded form).

    `duplicate_of` (a case number): the call is about that case. The new case is registered and merged into it
    at once (closed as merged, so the metrics count the request once), and the original's timeline records the
    added requester. Answer the caller with the original's number.

    `contact_preference`: how the requester wants to hear from us (SMS, a call only, not at all); the SMS with
    the case number is sent by the queued hooks task (cases/tasks.py), not on the request path.

    `screen` (the public page): screen the submission for spam; the list holds the adapter's own signals
    (e.g. "captcha"). Any signal holds the case for a dispatcher's review (services/review.py).
    """
    # A leader registers only proactive cases (未诉先办, from a hotspot); requests come in through the hotline.
    if actor is not None and role_of(actor) not in INTAKE_ROLES and not (
            channel == Channel.PROACTIVE and role_of(actor) == Role.LEADER):
        raise PermissionDenied(_("Only the hotline centre registers cases."))
    key = _clean(idempotency_key)[:100] or None
    if key is not None:
        existing = _case_by_key(key)
        if existing is not None:
            return _after_create(existing), False

    title, content = _clean(title), clean_text(content, multiline=True)
    requester_phone = normalize_phone(_clean(requester_phone))
    requester_id_number = _clean(requester_id_number).upper()
    errors, division, lat_d, lng_d = _validate(
        channel=channel,
        kind=kind,
        priority=priority,
        title=title,
        content=content,
        division_code=_clean(division_code),
        requester_phone=requester_phone,
        requester_id_number=requester_id_number,
        lat=lat,
        lng=lng,
        attachments=attachments,
    )
    texts = {"title": title, "content": content, "requester_name": requester_name, "address": address}
    for name, text in texts.items():
        tag = _MARKUP.search(_clean(text))
        if tag and name not in errors:
            errors[name] = _("Plain text only: remove the HTML markup “%(tag)s”.") % {"tag": tag.group(0)[:40]}
    contact_preference = contact_preference or ContactPreference.SMS
    if contact_preference not in ContactPreference.values:
        errors["contact_preference"] = _("Choose how the requester wants to hear from us.")
    original = _duplicate_target(actor, duplicate_of, errors)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert division is not None
    at = received_at or timezone.now()
    if recognise_resubmit:
        again = _same_submission(actor=actor, channel=channel, title=title, content=content, division=division,
                                 phone=requester_phone, at=at)
        if again is not None:
            return _after_create(again), False

    hold: list[str] = []
    if screen is not None:
        from jingzhi.cases.services.review import text_signals

        hold = sorted({*screen, *text_signals(title=title, content=content)})
    # A create in its own transaction (a request) hands the hooks to the task queue inside that transaction: they
    # leave the request path and cannot be lost. Inside a caller's transaction (an import, the demo, an obstacle
    # raised from a campaign) they run inline, because that caller wants its whole batch done when it commits. A
    # call registered as a duplicate joins its original and gets no hooks at all.
    queue_hooks = not connection.in_atomic_block and not hold and original is None
    queued = None
    number = next_case_number(at)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=number,
                channel=channel,
                kind=kind,
                priority=priority,
                status=Status.ACCEPTED,
                title=title,
                content=content,
                category=category,
                requester_name=_clean(requester_name)[:50],
                requester_phone=requester_phone,
                requester_id_number=requester_id_number,
                contact_preference=contact_preference,
                **requesters.digests(name=_clean(requester_name)[:50], phone=requester_phone, id_number=requester_id_number),
                enterprise=enterprise,
                address=_clean(address)[:200],
                division=division,
                lat=lat_d,
                lng=lng_d,
                created_at=at,
                created_by=actor,
                # A held case has no dispatch clock until a dispatcher releases it.
                dispatch_due=None if hold else sla.due("dispatch", kind=kind, priority=priority, start=at),
                idempotency_key=key,
                review=Review.HELD if hold else Review.NONE,
                review_reasons=hold,
            )
            for f in attachments:
                Attachment.objects.create(case=case, file=f, name=(f.name or "")[:200], size=f.size or 0, uploaded_by=actor)
            event = CaseEvent.objects.create(
                case=case,
                action=Action.CREATE.value,
                actor=actor,
                actor_unit_id=actor.unit_id if actor is not None else None,
                to_status=case.status,
                data={"channel": channel, **({"held": hold} if hold else {})},
                created_at=at,
            )
            if original is not None and actor is not None:
                case = _merge_duplicate(case, original=original, actor=actor, at=at)
            if queue_hooks:
                from jingzhi.cases.tasks import run_case_created_hooks

                queued = run_case_created_hooks.enqueue(case.pk)
    except IntegrityError:
        # Two retries raced past the lookup above: the unique key let exactly one in.
        if key is not None:
            existing = _case_by_key(key)
            if existing is not None:
                return _after_create(existing), False
        raise
    if queued is None:
        return _after_create(case), True
    if queued.is_finished and queued.status == TaskResultStatus.SUCCESSFUL and queued.return_value:
        case.refresh_from_db()  # a backend that runs tasks at once (tests) already ran them: answer with the result
    elif not queued.is_finished:
        # Nothing but this create has written to the case yet (its hooks wait in the queue): its timeline is the one
        # event in hand, so the 201 body need not read it back (api/v1/cases.py, issue 12).
        if actor is not None and User.unit.is_cached(actor):  # type: ignore[attr-defined]
            event.actor_unit = actor.unit  # the API key's user comes with its unit (api/services.py)
        case.intake_timeline = [event]  # type: ignore[attr-defined]
    return case, True


def _case_by_key(key: str) -> Case | None:
    """The case registered under this idempotency key, if any.

    Asked on every create with a key and almost always answered "none": the id alone is asked for (a query of one
    column is a fraction of the Python work of one that builds a case of forty); the case is read only when found.
    """
    with connection.cursor() as cursor:
        # The ORM's compiling of this one-column query cost more than running it; names are the model's own.
        cursor.execute(f"SELECT {_KEY_LOOKUP} = %s LIMIT 1", [key])  # noqa: S608
        found = cursor.fetchone()
    return Case.objects.filter(pk=found[0]).first() if found else None


_KEY_LOOKUP = "{id} FROM {table} WHERE {column}".format(
    id=Case._meta.pk.column, table=Case._meta.db_table, column=Case._meta.get_field("idempotency_key").column)


def _duplicate_target(actor: User | None, number: str, errors: dict[str, str]) -> Case | None:
    """The case a new call duplicates, as the actor sees it (a merged case stands for the one it points to)."""
    number = _clean(number)[:32]
    if not number:
        return None
    if actor is None:
        errors["duplicate_of"] = _("Only the hotline centre registers a call as a duplicate.")
        return None
    original = Case.objects.visible_to(actor).select_related("merged_into").filter(number=number).first()
    if original is None:
        errors["duplicate_of"] = _("There is no case %(number)s.") % {"number": number}
        return None
    return original.merged_into if original.status == Status.MERGED and original.merged_into else original


def _same_submission(*, actor: User | None, channel: str, title: str, content: str, division: Division, phone: str,
                     at: datetime) -> Case | None:
    """A case the same actor registered for the same requester with the same text moments ago, if any."""
    return (Case.objects.filter(created_by=actor, channel=channel, division=division, title=title, content=content,
                                requester_phone_digest=requesters.digests(name="", phone=phone, id_number="")["requester_phone_digest"],
                                created_at__gte=at - RESUBMIT_WINDOW, created_at__lte=at)
            .order_by("created_at").first())


def _merge_duplicate(case: Case, *, original: Case, actor: User, at: datetime) -> Case:
    """Merge the new case into its original at once, and note the added requester on the original's timeline."""
    from jingzhi.cases.services.lifecycle import case_merge

    case = case_merge(case=case, into=original, actor=actor, at=at,
                      note=_("Registered at intake as a duplicate of %(number)s.") % {"number": original.number})
    CaseEvent.objects.create(
        case_id=original.pk, action=DUPLICATE_ADDED, actor=actor, actor_unit_id=actor.unit_id, created_at=at,
        from_status=original.status, to_status=original.status, data={"duplicate": case.number},
        note=_("The same request came in again as %(number)s; its requester was told this case's number.")
        % {"number": case.number},
    )
    return case


def _after_create(case: Case) -> Case:
    """The case-created hooks (the classifier's suggestion and automatic dispatch: cases/hooks.py).

    Also run for a retry that found its case: the hooks are idempotent, and a process that died between
    the commit and the hooks would otherwise leave the case without its suggestion for good.
    A case held for review gets neither suggestion nor dispatch until a dispatcher releases it.
    """
    if case.review == Review.HELD or case.status == Status.MERGED:
        return case  # a duplicate registered into its original is counted, dispatched and grouped as the original
    if hooks.case_created(case):
        case.refresh_from_db()
    return case
