from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "jingzhi.disputes"
    label = "disputes"
    verbose_name = _("Dispute register")

    def ready(self) -> None:
        # A new case whose requester or address already has an open dispute is flagged (cases never imports us).
        from jingzhi.cases import hooks
        from jingzhi.disputes.services.linking import dispute_flag_case

        hooks.on_case_created(dispute_flag_case)
