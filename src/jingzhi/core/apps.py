from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give each SQLite connection the function the audit log's DELETE trigger asks (migration core 0003).

    A connection without it (the sqlite3 shell) fails the trigger's WHEN clause, so deletion is refused there too.
    """
    if connection.vendor != "sqlite":
        return
    from jingzhi.core.audit import purge_permitted

    connection.connection.create_function("jingzhi_audit_purge_permitted", 0, lambda: int(purge_permitted()),
                                          deterministic=False)


class CoreConfig(AppConfig):
    name = "jingzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_functions, dispatch_uid="jingzhi.core.sqlite_functions")
