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
        from jingzhi.core.scheduler import PeriodicJob, register_periodic

        # Outbound messages a crash left queued but never handed to the task queue (core/gateway.py).
        register_periodic(PeriodicJob("outbound-resend", "jingzhi.core.tasks.resend_stranded_outbound", 600))
        _name_the_admin()


def _name_the_admin() -> None:
    """The admin's own title and the names of the third-party apps it lists, in our catalogue.

    Django's default header reads "Django administration" ("Django 管理"), and django_tasks_db and axes name
    their apps with untranslated English strings; the admin index shows those names as section headings.
    """
    from django.apps import apps
    from django.contrib import admin

    admin.site.site_header = _("Jingzhi administration")
    admin.site.site_title = _("Jingzhi administration")
    admin.site.index_title = _("Site administration")
    for label, name in (("django_tasks_database", _("Background tasks")), ("axes", _("Sign-in protection")),
                        ("django_tasks", _("Background tasks")), ("otp_totp", _("Second factor (TOTP)")),
                        ("captcha", _("Captcha"))):
        config = apps.app_configs.get(label)
        if config is not None:
            config.verbose_name = name
