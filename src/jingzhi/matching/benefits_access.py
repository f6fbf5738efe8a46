"""Who sees and does what with applications, accounts and payments (ADR 027) — the grants' rule, applied again.

- An enterprise user sees its own enterprise's applications, accounts and payments, and applies for it.
- The issuing unit's policy office (matching.access.keeps) accepts, decides and pays its policies' applications
  and pays its grants; administrators everything.
- Other staff see the applications of the enterprises the registry shows them (enterprises_visible_to).
- An account number is masked everywhere but for the enterprise itself; the paying unit may reveal it (audited).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jingzhi.enterprises.access import enterprises_visible_to
from jingzhi.matching.access import VIEW_ROLES, grants_visible_to
from jingzhi.matching.models_benefits import Application, Payment
from jingzhi.org.access import is_admin, is_signed_in, role_of
from jingzhi.org.models import Role


def applications_visible_to(user: Any) -> models.QuerySet[Application]:
    """The deciding unit's queue, the applications of the enterprises a user sees, an enterprise's own."""
    qs = Application.objects.all()
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


def payments_visible_to(user: Any) -> models.QuerySet[Payment]:
    """Payments of the grants and applications the user sees."""
    if not is_signed_in(user):
        return Payment.objects.none()
    if is_admin(user):
        return Payment.objects.all()
    return Payment.objects.filter(models.Q(grant__in=grants_visible_to(user).values("pk"))
                                  | models.Q(application__in=applications_visible_to(user).values("pk")))


def is_own_enterprise(user: Any, enterprise_id: int) -> bool:
    return is_signed_in(user) and role_of(user) == Role.ENTERPRISE and getattr(user, "enterprise_id", None) == enterprise_id


def mask_account(number: str) -> str:
    """**** 1234: only the last four digits of an account number."""
    if not number:
        return ""
    return "**** " + number[-4:] if len(number) > 4 else "*" * len(number)
