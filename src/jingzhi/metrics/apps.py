from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "jingzhi.metrics"
    label = "metrics"
    verbose_name = _("Metrics and assessment")

    def ready(self) -> None:
        from jingzhi.core.scheduler import PeriodicJob, register_periodic

        register_periodic(PeriodicJob("metrics_rollup", "jingzhi.metrics.tasks.refresh_rollups", 300))  # the daily roll-ups
