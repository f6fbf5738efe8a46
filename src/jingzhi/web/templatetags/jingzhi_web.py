"""Template helpers for the workbench: deadline badges, labels for statuses and events, masking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jingzhi.cases import selectors, sla
from jingzhi.cases.models import Status
from jingzhi.cases.transitions import EVENT_LABELS
from jingzhi.core import masking

register = template.Library()

BADGE_LABELS = {
    sla.SlaState.ON_TIME: _("On time"),
    sla.SlaState.AT_RISK: _("At risk"),
    sla.SlaState.OVERDUE: _("Overdue"),
    sla.SlaState.NONE: _("No clock running"),
}


def _badge(state: str) -> str:
    if state == sla.SlaState.NONE:
        return format_html('<span class="badge badge-none" title="{}">—</span>', BADGE_LABELS[sla.SlaState.NONE])
    return format_html('<span class="badge badge-{}">{}</span>', state.replace("_", "-"), BADGE_LABELS[sla.SlaState(state)])


@register.simple_tag
def case_badge(case: Any, now: datetime | None = None) -> str:
    """The badge for the clock that runs in the case's current status."""
    return _badge(selectors.sla_badge(case, now=now or timezone.now()))


@register.simple_tag
def deadline_badge(due_at: datetime | None, started_at: datetime | None, now: datetime | None = None) -> str:
    """The badge for one deadline (used on the case page for the running clock)."""
    return _badge(sla.state_of(due_at=due_at, started_at=started_at, now=now or timezone.now()))


@register.filter
def running_clock(case: Any) -> str:
    return selectors.running_clock(case)[0]


@register.filter
def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


@register.filter
def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value or ""


@register.filter
def status_class(value: str) -> str:
    return f"status status-{value}" if value else "status"


@register.filter
def mask_phone(value: str) -> str:
    return masking.mask_phone(value or "")


@register.filter
def mask_name(value: str) -> str:
    return masking.mask_name(value or "")


@register.filter
def mask_id_number(value: str) -> str:
    return masking.mask_id_number(value or "")


@register.filter
def shortdt(value: datetime | None) -> str:
    """A compact local date and time: 2024-05-06 14:30 (the page's time zone, Asia/Shanghai)."""
    if not value:
        return ""
    return date_format(timezone.localtime(value), "Y-m-d H:i")


@register.filter
def field_type(bound_field: Any) -> str:
    return bound_field.field.widget.__class__.__name__.lower()


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: str) -> str:
    """A column heading that sorts the list by that column; a second click reverses the order.

    Keeps the filters (and the list, tab) of the current address, drops the page number: a new order starts
    on page one. The current column carries ▲ or ▼ and aria-sort for screen readers.
    """
    request = context.get("request")
    current = context.get("sort")
    if request is None:
        return format_html("{}", label)
    query = request.GET.copy()
    query.pop("page", None)
    descending = current is not None and current[0] == key and not current[1]
    query["sort"] = f"-{key}" if descending else key
    arrow, aria = "", "none"
    if current is not None and current[0] == key:
        arrow, aria = ("▼", "descending") if current[1] else ("▲", "ascending")
    return format_html('<a class="sort-link" href="?{}" aria-sort="{}">{}{}</a>', query.urlencode(), aria, label,
                       format_html(' <span class="sort-arrow">{}</span>', arrow) if arrow else "")


NEXT_CLOCK_LABELS = {
    "accepted": _("dispatch"), "returned": _("dispatch"), "dispatched": _("acknowledge"),
    "handling": _("reply"), "suspended": _("reply, paused"), "replied": _("follow-up"),
}


@register.filter
def next_clock_label(case: Any) -> str:
    """Which deadline the list's "Next deadline" column shows (cases.querysets.next_due_expression)."""
    return str(NEXT_CLOCK_LABELS.get(case.status, ""))


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """0.8734 → "87.3%"; a number given as text ("0.9", a dict key) too; "—" for nothing (never a raw decimal)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return f"{number * 100:.{int(digits)}f}%"
