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
        # A 专班's members and leader answer for its enterprises like their 包保 official: the cases' visibility rule
        # (org.access.case_reach) reads this source without cases or org importing this app.
        from jingzhi.enterprises.access import served_by_task_force
        from jingzhi.org.access import add_enterprise_reach

        add_enterprise_reach(served_by_task_force)
