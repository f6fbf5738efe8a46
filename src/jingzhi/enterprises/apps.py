from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "jingzhi.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprise service")

    def ready(self) -> None:
        # The needs' own clocks are swept by a periodic job of this app (core never names it: ADR 011).
        from jingzhi.core.scheduler import PeriodicJob, register_periodic

        register_periodic(PeriodicJob("enterprise_need_sweep", "jingzhi.enterprises.tasks.need_sweep_task", 300))
