from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jingzhi.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.conf import settings

        from jingzhi.core.scheduler import PeriodicJob, register_periodic

        # The SLA sweep: reminders, supervision, flags.
        register_periodic(PeriodicJob("sla_sweep", "jingzhi.cases.tasks.run_sla_sweep", settings.JINGZHI_SLA_SWEEP_SECONDS))
