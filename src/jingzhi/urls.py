"""URL map: the web pages, the admin, and (later) the APIs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The public form's CAPTCHA images (django-simple-captcha), drawn on this server.
    path("public/captcha/", include("captcha.urls")),
    path("", include("jingzhi.campaigns.urls")),
    path("", include("jingzhi.api.urls")),
    path("dispatch/", include("jingzhi.dispatch.urls")),
    path("metrics/", include("jingzhi.metrics.urls")),
    path("", include("jingzhi.web.urls")),
]
