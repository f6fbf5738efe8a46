from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyDemandConfig(AppConfig):
    name = "jingzhi.supplydemand"
    label = "supplydemand"
    verbose_name = _("Supply and demand (供需对接)")
