"""Template context shared by every page: the top navigation for the user's role and the unread count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingzhi.org.access import is_admin, role_of
from jingzhi.org.models import Role

# Which pages each role works in, in the order the nav shows them.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    Role.OPERATOR: ("intake", "follow_up", "cases"),
    Role.DISPATCHER: ("dispatch", "intake", "cases", "dispatch_model", "dashboard"),
    Role.HANDLER: ("unit", "cases", "unit_dashboard"),
    Role.UNIT_HEAD: ("unit", "cases", "unit_dashboard", "metrics"),
    Role.SUPERVISOR: ("supervision", "follow_up", "cases", "dashboard"),
    Role.LEADER: ("dashboard", "cases"),
    Role.ADMIN: ("intake", "dispatch", "unit", "follow_up", "supervision", "cases", "dashboard", "dispatch_model"),
}
ROLE_PAGES = {role: (*pages, "knowledge") for role, pages in ROLE_PAGES.items()}  # the knowledge base (issue 17) serves every role

PAGES: dict[str, tuple[str, str | Promise]] = {
    "intake": ("web:intake", _("Intake")),
    "dispatch": ("web:dispatch_queue", _("Dispatch queue")),
    "unit": ("web:unit_queue", _("Unit queue")),
    "follow_up": ("web:follow_up_queue", _("Follow-up")),
    "supervision": ("web:supervision", _("Supervision")),
    "cases": ("web:case_list", _("All cases")),
    "dispatch_model": ("dispatch:overview", _("Precise dispatch")),
    "dashboard": ("metrics:dashboard", _("Dashboard")),
    "metrics": ("metrics:figures", _("Figures")),
    "unit_dashboard": ("metrics:unit_dashboard", _("Unit dashboard")),
    "knowledge": ("knowledge:list", _("Knowledge base")),
}


@dataclass(frozen=True)
class NavItem:
    key: str
    url: str
    label: str | Promise


def pages_for(user: Any) -> tuple[str, ...]:
    return ROLE_PAGES.get(role_of(user), ("cases",))


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from jingzhi.web.selectors import notification_unread_count

    items = [NavItem(key, reverse(PAGES[key][0]), PAGES[key][1]) for key in pages_for(user)]
    return {
        "nav_items": items,
        "nav_unread": notification_unread_count(user=user),
        "nav_is_admin": is_admin(user),
    }
