"""The one test of "is this an administrator?", kept in core so that core's own services and admin can ask it.

Everything else about roles and scopes is in `jingzhi.org.access`, which re-exports this function; the
role's value is the same string as `org.models.Role.ADMIN` (checked there at import).
"""

from __future__ import annotations

from typing import Any

ADMIN_ROLE = "admin"


def is_admin(user: Any) -> bool:
    """A superuser, or a user whose role is administrator. Anonymous users and None are not."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or getattr(user, "role", "") == ADMIN_ROLE
