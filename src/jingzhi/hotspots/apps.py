from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    name = "jingzhi.hotspots"
    label = "hotspots"
    verbose_name = _("Hotspots")

    def ready(self) -> None:
        # Every new case is offered to hotspot detection through the cases hooks (cases never imports hotspots).
        from jingzhi.cases import hooks
        from jingzhi.hotspots.services import hotspot_case_added

        hooks.on_case_created(hotspot_case_added)
