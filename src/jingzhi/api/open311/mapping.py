"""Our model seen through Open311: public leaf categories are services, cases are service requests.

Reads only. Which cases the anonymous feed shows is a setting (by channel), because a GET needs no key:
by default only requests that came in through Open311 itself, whose senders chose a public system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, CaseEvent, Kind, Resolution, Status
from jingzhi.cases.querysets import CaseQuerySet
from jingzhi.cases.transitions import EVENT_LABELS, Action
from jingzhi.core.masking import mask_personal_data
from jingzhi.org.models import Division
from jingzhi.taxonomy.models import Category

# FixMyStreet's extended statuses for each of our statuses (closed ones depend on the follow-up).
EXTENDED_STATUS = {
    Status.ACCEPTED: "OPEN",
    Status.DISPATCHED: "ACTION_SCHEDULED",
    Status.RETURNED: "INTERNAL_REFERRAL",
    Status.HANDLING: "IN_PROGRESS",
    Status.SUSPENDED: "INVESTIGATING",
    Status.REPLIED: "IN_PROGRESS",
    Status.FOLLOWED_UP: "IN_PROGRESS",
    Status.CLOSED: "CLOSED",
    Status.MERGED: "DUPLICATE",
}


def open311_settings() -> dict[str, Any]:
    return dict(settings.JINGZHI_API)


def public_services() -> QuerySet[Category]:
    """Leaves of the taxonomy that are open to the public (a category with children is a group, not a service)."""
    return (
        Category.objects.filter(is_public=True)
        .annotate(n_children=Count("children"))
        .filter(n_children=0)
        .select_related("parent__parent")
        .order_by("parent__name", "name", "pk")
    )


def service_by_code(code: str) -> Category | None:
    code = (code or "").strip()
    if not code.isdigit() or len(code) > 18:
        return None
    return public_services().filter(pk=int(code)).first()


def _groups(category: Category) -> list[str]:
    names, node = [], category.parent
    while node is not None:
        names.append(node.name)
        node = node.parent
    return names


def service_dict(category: Category) -> dict[str, Any]:
    groups = _groups(category)
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": " / ".join([*reversed(groups), category.name]),
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(groups),
        "group": groups[0] if groups else None,
        "groups": list(reversed(groups)),
    }


def place_choices() -> QuerySet[Division]:
    return Division.objects.filter(level__in=[Division.Level.CITY, Division.Level.COUNTY]).order_by("path")


def service_definition(category: Category) -> dict[str, Any]:
    kinds = [(value, str(label)) for value, label in Kind.choices if value not in (Kind.ENTERPRISE,)]
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True, "code": "kind", "datatype": "singlevaluelist", "required": False,
                "datatype_description": _("What kind of request this is; a complaint if not given."),
                "order": 1, "description": _("Kind of request"),
                "values": [{"key": k, "name": n} for k, n in kinds],
            },
            {
                "variable": True, "code": "division", "datatype": "singlevaluelist", "required": False,
                "datatype_description": _("The county or district of the place; the whole city if not given."),
                "order": 2, "description": _("County / district"),
                "values": [{"key": d.code, "name": d.name} for d in place_choices()],
            },
        ],
    }


def feed_cases() -> CaseQuerySet:
    """Cases the anonymous Open311 GETs may show: public services, from the configured channels."""
    channels = open311_settings().get("OPEN311_FEED_CHANNELS", ["open311"])
    return Case.objects.filter(category__is_public=True, channel__in=channels).select_related(
        "category", "lead_unit", "division"
    )


def status_of(case: Case) -> str:
    return "open" if case.is_open else "closed"


def extended_status(status: str, resolution: str = "", direct: bool = False) -> str:
    if status == Status.CLOSED:
        if direct:
            return "CLOSED"
        if resolution in (Resolution.RESOLVED, Resolution.PARTLY):
            return "FIXED"
        if resolution == Resolution.UNRESOLVED:
            return "NO_FURTHER_ACTION"
    return EXTENDED_STATUS.get(Status(status), "OPEN") if status in Status.values else "OPEN"


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def status_notes(case: Case) -> str | None:
    if case.status == Status.MERGED:
        return str(_("Handled together with an earlier request about the same matter"))
    if case.reply and case.status in (Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED):
        return mask_personal_data(case.reply)
    return str(case.get_status_display())


def request_dict(case: Case, *, extensions: bool = False) -> dict[str, Any]:
    closed = not case.is_open
    data: dict[str, Any] = {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category else None,
        "service_code": str(case.category_id) if case.category_id else "",
        # The feed is public: phone and ID numbers and e-mail addresses written into the text are masked.
        "description": mask_personal_data(case.content),
        "agency_responsible": case.lead_unit.name if case.lead_unit else None,
        "service_notice": None,
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": _iso(case.reply_due) if not closed else None,
        "address": mask_personal_data(case.address) or case.division.name,
        "address_id": case.division.code,
        "zipcode": None,
        "lat": float(case.lat) if case.lat is not None else None,
        "long": float(case.lng) if case.lng is not None else None,
        "media_url": None,
    }
    if extensions:
        data["extended_attributes"] = {
            "external_status_code": case.status,
            "status": extended_status(case.status, case.resolution),
            "channel": case.channel,
        }
    return data


@dataclass(frozen=True)
class Update:
    event: CaseEvent

    def as_dict(self, *, extensions: bool) -> dict[str, Any]:
        e = self.event
        case = e.case
        status = e.to_status or case.status
        open_ = status not in (Status.CLOSED, Status.MERGED)
        if extensions:
            shown = "REOPEN" if e.action == Action.REOPEN else extended_status(
                status, case.resolution, direct=e.action == Action.ANSWER_DIRECTLY)
        else:
            shown = "open" if open_ else "closed"
        description = str(EVENT_LABELS.get(e.action, e.action))
        if e.action in (Action.REPLY, Action.ANSWER_DIRECTLY) and e.note:
            description = mask_personal_data(e.note)
        data: dict[str, Any] = {
            "update_id": str(e.pk),
            "service_request_id": case.number,
            "status": shown,
            "updated_datetime": _iso(e.created_at),
            "description": description,
            "media_url": "",
        }
        if extensions:
            data["external_status_code"] = status
        return data


def updates_between(start: datetime, end: datetime) -> QuerySet[CaseEvent]:
    """Status changes of feed cases in [start, end), oldest first (what FixMyStreet polls for)."""
    return (
        CaseEvent.objects.filter(case__in=feed_cases().values("pk"), created_at__gte=start, created_at__lt=end)
        .exclude(from_status="")
        .exclude(to_status=F("from_status"))
        .select_related("case")
        .order_by("created_at", "pk")
    )

