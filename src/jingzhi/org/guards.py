"""The check every administrative service starts with: the actor is an administrator, or the system itself."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jingzhi.core.errors import PermissionDenied
from jingzhi.org.access import is_admin


def admin_required(actor: Any) -> None:
    """None is the system (demo loader, CLI, migrations); anyone else must be an administrator (org.access)."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only administrators may change the organisation and the policies."))
