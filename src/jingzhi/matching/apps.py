from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "jingzhi.matching"
    label = "matching"
    verbose_name = _("Policy matching (精准对接)")

    def ready(self) -> None:
        # A registry write in enterprises re-matches that enterprise after its commit; enterprises offers the
        # hook and never imports this app (ADR 011, ADR 024).
        from jingzhi.enterprises.hooks import on_registry_changed
        from jingzhi.matching.tasks import enqueue_enterprise_rematch

        on_registry_changed(enqueue_enterprise_rematch)
