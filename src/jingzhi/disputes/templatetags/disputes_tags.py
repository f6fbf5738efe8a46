"""Template pieces the workbench includes without importing this app: the supervision board's tab, the case
page's dispute panel, and masking filters for parties."""

from __future__ import annotations

from typing import Any

from django import template

from jingzhi.core import masking
from jingzhi.disputes import selectors
from jingzhi.disputes.models import Dispute, DisputeCase
from jingzhi.disputes.services.register import REGISTER_ROLES
from jingzhi.org.access import has_role

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return masking.mask_phone(value or "")


@register.filter
def masked_id(value: str) -> str:
    return masking.mask_id_number(value or "")


@register.filter
def masked_name(value: str) -> str:
    return masking.mask_name(value or "")


@register.inclusion_tag("disputes/_board_tab.html", takes_context=True)
def dispute_board_tab(context: dict[str, Any]) -> dict[str, Any]:
    """The supervision board's link to disputes with overdue follow-up visits or escalations, with its count."""
    user = context["request"].user
    return {"count": selectors.board_counts(user)["overdue"]}


@register.inclusion_tag("disputes/_case_panel.html", takes_context=True)
def dispute_case_panel(context: dict[str, Any], case: Any) -> dict[str, Any]:
    """On a case page: the disputes the case belongs to (that the user sees), and the from-case action."""
    user = context["request"].user
    links = list(DisputeCase.objects.filter(case=case, dispute__in=Dispute.objects.visible_to(user).values("pk"))
                 .select_related("dispute"))
    return {"links": links, "case": case, "may_register": has_role(user, REGISTER_ROLES)
            and not any(link.relation == DisputeCase.Relation.ORIGIN for link in links)}
