"""Template context shared by every page: the top navigation for the user's role and the unread count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingzhi.org.access import is_admin, role_of
from jingzhi.org.models import Role

# Which pages each role works in, in the order the nav shows them.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    Role.OPERATOR: ("intake", "follow_up", "cases", "enterprises", "policies"),
    Role.DISPATCHER: ("dispatch", "intake", "cases", "dispatch_model", "dashboard", "enterprises", "policies"),
    Role.HANDLER: ("unit", "cases", "unit_dashboard", "disputes", "policies"),
    Role.UNIT_HEAD: ("unit", "cases", "unit_dashboard", "metrics", "disputes", "policies"),
    Role.SUPERVISOR: ("supervision", "follow_up", "cases", "dashboard", "enterprises", "disputes", "policies"),
    Role.LEADER: ("dashboard", "cases", "enterprises", "disputes", "policies"),
    Role.ADMIN: ("intake", "dispatch", "unit", "follow_up", "supervision", "cases", "dashboard", "dispatch_model", "enterprises",
                 "disputes", "policies"),
    Role.ENTERPRISE: ("door", "policy_door"),
}
# The knowledge base (issue 17) serves every staff role; an enterprise's users read the public Q&A pages instead.
ROLE_PAGES = {role: pages if role == Role.ENTERPRISE else (*pages, "knowledge") for role, pages in ROLE_PAGES.items()}
# The board of sent replies and their check (issue 17, ADR 025).
ROLE_PAGES = {role: (*pages, "replies") if role in (Role.SUPERVISOR, Role.LEADER, Role.UNIT_HEAD, Role.ADMIN) else pages
              for role, pages in ROLE_PAGES.items()}
# Supply ↔ demand (issue 15, ADR 029): the enterprise's door to it, and the listings for the roles that see enterprises.
ROLE_PAGES = {role: (*pages, "supply_door") if role == Role.ENTERPRISE else
              (*pages, "supply") if "enterprises" in pages else pages for role, pages in ROLE_PAGES.items()}

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
    "enterprises": ("enterprises:list", _("Enterprises")),
    "door": ("enterprises:door", _("Our needs")),
    "policies": ("matching:list", _("Policies")),
    "policy_door": ("matching:door", _("Our policies")),
    "supply": ("supplydemand:list", _("Supply and demand")),
    "supply_door": ("supplydemand:door", _("Supply and demand")),

    "disputes": ("disputes:list", _("Disputes")),

    "knowledge": ("knowledge:list", _("Knowledge base")),
    "replies": ("knowledge:reply_board", _("Replies sent")),
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
        "nav_poll_seconds": getattr(settings, "JINGZHI_NOTIFICATION_POLL_SECONDS", 60),
    }


def kept_form(request: HttpRequest) -> dict[str, Any]:
    """A form sent after its session had ended, for the page it was on (web/signin.py): its fields for
    kept_form.js to fill in again, with the notice to check and send it."""
    from jingzhi.web.signin import stash_notice, stash_take_for_page

    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    kept = stash_take_for_page(request)
    if kept is None:
        return {}
    stash_notice(request, kept.had_files)
    return {"kept_form": {"action": kept.action, "fields": {key: kept.data.getlist(key) for key in kept.data}}}
