"""Who may do what in policy matching: the one rule for its pages and services.

- The policy office of a unit (its handlers and unit head) keeps the policies its unit issues and reviews their
  免申即享 grants; administrators keep every policy.
- Published policies are open to every staff role; drafts only to the issuing unit and administrators.
- Which enterprises' matches a user sees: the issuing unit sees every match of its own policies; everyone else the
  enterprises the registry shows them (enterprises.access.enterprises_visible_to); an enterprise user its own.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jingzhi.enterprises.access import STAFF_ROLES, enterprises_visible_to
from jingzhi.matching.models import Grant, Match, Policy
from jingzhi.org.access import is_admin, is_signed_in, role_of
from jingzhi.org.models import Role

POLICY_OFFICE_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})
VIEW_ROLES = STAFF_ROLES


def is_policy_office(user: Any) -> bool:
    """May keep policies at all: an administrator, or a handler / unit head with a unit."""
    if not is_signed_in(user):
        return False
    return is_admin(user) or (role_of(user) in POLICY_OFFICE_ROLES and getattr(user, "unit_id", None) is not None)


def keeps(user: Any, policy: Policy) -> bool:
    """May edit this policy and review its grants: its issuing unit's policy office, or an administrator."""
    if not is_signed_in(user):
        return False
    return is_admin(user) or (role_of(user) in POLICY_OFFICE_ROLES and user.unit_id == policy.issuer_id)


def policies_visible_to(user: Any) -> models.QuerySet[Policy]:
    qs = Policy.objects.all()
    if not is_signed_in(user) or role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_admin(user):
        return qs
    own = models.Q(issuer_id=user.unit_id) if getattr(user, "unit_id", None) else models.Q(pk__in=[])
    return qs.filter(own | ~models.Q(status=Policy.Status.DRAFT))


def matches_visible_to(user: Any) -> models.QuerySet[Match]:
    qs = Match.objects.all()
    if not is_signed_in(user):
        return qs.none()
    if role_of(user) == Role.ENTERPRISE:
        eid = getattr(user, "enterprise_id", None)
        return qs.filter(enterprise_id=eid, policy__status=Policy.Status.PUBLISHED) if eid else qs.none()
    if role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_admin(user):
        return qs
    own = models.Q(policy__issuer_id=user.unit_id) if getattr(user, "unit_id", None) else models.Q(pk__in=[])
    return qs.filter(own | models.Q(enterprise__in=enterprises_visible_to(user).values("pk"))).filter(
        policy__in=policies_visible_to(user).values("pk"))


def grants_visible_to(user: Any) -> models.QuerySet[Grant]:
    """The review queue of the user's unit, the grants of the enterprises they see, an enterprise's own grants."""
    qs = Grant.objects.all()
    if not is_signed_in(user):
        return qs.none()
    if role_of(user) == Role.ENTERPRISE:
        eid = getattr(user, "enterprise_id", None)
        return qs.filter(enterprise_id=eid) if eid else qs.none()
    if role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_admin(user):
        return qs
    own = models.Q(unit_id=user.unit_id) if getattr(user, "unit_id", None) else models.Q(pk__in=[])
    return qs.filter(own | models.Q(enterprise__in=enterprises_visible_to(user).values("pk")))
