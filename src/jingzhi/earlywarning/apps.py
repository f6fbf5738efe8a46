from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningConfig(AppConfig):
    name = "jingzhi.earlywarning"
    label = "earlywarning"
    verbose_name = _("Early warning")

    def ready(self) -> None:
        # Unacknowledged tasks are escalated and seasonal preparation tasks raised by periodic jobs (core runs them).
        from jingzhi.core.scheduler import PeriodicJob, register_periodic

        register_periodic(PeriodicJob("earlywarning-escalate", "jingzhi.earlywarning.tasks.escalate_overdue", 60))
        register_periodic(PeriodicJob("earlywarning-seasonal", "jingzhi.earlywarning.tasks.raise_seasonal", 3600))
