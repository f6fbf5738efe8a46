"""URL map: the web pages, the admin, and (later) the APIs."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # One change-password page (policy, audit, the forced first change) for the workbench and the admin alike.
    path("admin/password_change/", RedirectView.as_view(pattern_name="web:password_change", query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The public form's CAPTCHA images (django-simple-captcha), drawn on this server.
    path("public/captcha/", include("captcha.urls")),
    path("", include("jingzhi.campaigns.urls")),
    path("", include("jingzhi.api.urls")),
    path("dispatch/", include("jingzhi.dispatch.urls")),
    path("metrics/", include("jingzhi.metrics.urls")),
    path("hotspots/", include("jingzhi.hotspots.urls")),
    path("enterprises/", include("jingzhi.enterprises.urls")),
    path("policies/", include("jingzhi.matching.urls")),
    path("programmes/", include("jingzhi.matching.programmes.urls")),
    path("supply/", include("jingzhi.supplydemand.urls")),
    path("warnings/", include("jingzhi.earlywarning.urls")),

    path("disputes/", include("jingzhi.disputes.urls")),

    path("", include("jingzhi.knowledge.urls")),
    path("", include("jingzhi.web.urls")),
]
