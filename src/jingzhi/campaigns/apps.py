from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "jingzhi.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns and key projects")

    def ready(self) -> None:
        from jingzhi.core.scheduler import PeriodicJob, register_periodic

        register_periodic(PeriodicJob("campaign_reports", "jingzhi.campaigns.tasks.run_report_sweep", 3600))  # weekly report reminders and escalation
