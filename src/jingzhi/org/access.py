"""Who may do what: the one place for roles and scopes (issue 9).

Every "is this an administrator?", every role check and every scope rule (the units a unit head
answers for, the divisions a leader oversees) is asked here; querysets, services, views and the
API call these functions instead of repeating the rule.
"""

from __future__ import annotations

from typing import Any

from jingzhi.org.models import Role


def is_admin(user: Any) -> bool:
    """A superuser, or a user whose role is administrator. Anonymous users and None are not."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or getattr(user, "role", "") == Role.ADMIN


def role_of(user: Any) -> str:
    """The role the rules apply to: administrators (superusers included) are Role.ADMIN."""
    if user is None:
        return ""
    return Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", "") or ""
