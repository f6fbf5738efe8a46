"""Who sees and does what in supply ↔ demand: the one rule for its pages, API and services.

- An enterprise user publishes and closes its own enterprise's listings and sees them with their suggestions;
  of a counterpart it sees only the public part of the listing (product, quantity, place, dates, enterprise name).
- The enterprise service office (enterprises.access.OFFICE_ROLES) enters listings for any enterprise it sees, makes
  introductions and records their outcome.
- Other staff see the listings and introductions of the enterprises the registry shows them
  (enterprises.access.enterprises_visible_to); outside that a listing is not found.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jingzhi.enterprises.access import STAFF_ROLES, enterprises_visible_to, is_enterprise_user, is_office
from jingzhi.org.access import is_signed_in, role_of
from jingzhi.org.models import Role
from jingzhi.supplydemand.models import Introduction, Listing

VIEW_ROLES = STAFF_ROLES


def listings_visible_to(user: Any) -> models.QuerySet[Listing]:
    qs = Listing.objects.all()
    if not is_signed_in(user):
        return qs.none()
    if is_enterprise_user(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    if role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_office(user):
        return qs
    return qs.filter(enterprise__in=enterprises_visible_to(user).values("pk"))


def may_publish_for(user: Any, enterprise_id: int) -> bool:
    """Its own users for the enterprise, the office for any (the visibility of the enterprise is checked apart)."""
    if is_enterprise_user(user):
        return bool(user.enterprise_id == enterprise_id)
    return is_office(user)


def introductions_visible_to(user: Any) -> models.QuerySet[Introduction]:
    """The office sees every introduction; an enterprise those it is a party to; staff those of enterprises they see."""
    qs = Introduction.objects.all()
    if not is_signed_in(user):
        return qs.none()
    if role_of(user) == Role.ENTERPRISE:
        eid = getattr(user, "enterprise_id", None)
        if eid is None:
            return qs.none()
        return qs.filter(models.Q(need__enterprise_id=eid) | models.Q(capability__enterprise_id=eid))
    if role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_office(user):
        return qs
    seen = enterprises_visible_to(user).values("pk")
    return qs.filter(models.Q(need__enterprise__in=seen) | models.Q(capability__enterprise__in=seen))


def may_introduce(user: Any) -> bool:
    return is_office(user)
