"""The replica router: the primary takes every write and every migration; a replica only serves explicit reads.

Dashboards and reports choose the replica themselves (`.using(engine.read_db())`), so a page that writes never
reads its own write from a lagging replica. The router only keeps migrations off the replica and lets objects read
from either alias relate to each other.
"""

from __future__ import annotations

from typing import Any


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return None  # the default: the primary, unless a selector asks for the replica

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == "default"
