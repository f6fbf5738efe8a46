from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "jingzhi.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        # The hotspot page offers "propose a campaign" through hotspots' registry (hotspots never imports campaigns).
        from jingzhi.hotspots.links import on_hotspot_page
        from jingzhi.web.hotspot_campaign import campaign_link

        on_hotspot_page(campaign_link)
