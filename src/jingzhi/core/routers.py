"""The database router: writes and migrations on the primary; replica-reading pages' reads on a replica.

Which replica, and whether one is fit to read from at all, is decided in `jingzhi.core.replicas`; this class only
asks it. Outside a page that declared itself read-only (`reads_from_replica`) every read goes to the primary, so a
page that writes never reads its own write from a lagging copy.
"""

from __future__ import annotations

from typing import Any

from jingzhi.core import replicas


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return None  # related objects follow the row they hang from (Django's default)
        return replicas.read_alias() if replicas.wants_replica() else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return replicas.PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == replicas.PRIMARY
