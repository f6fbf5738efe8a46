from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "jingzhi.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        # dispatch takes part in intake and corrections through the cases hooks (no import cycle).
        from jingzhi.cases import hooks
        from jingzhi.dispatch import auto

        hooks.on_case_created(auto.on_case_created)
        hooks.on_dispatch_corrected(auto.correction_record)
