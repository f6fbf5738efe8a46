"""The two doors: REST API v1 (with its OpenAPI schema and docs) and Open311 GeoReport v2."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from jingzhi.api.problems import problem_response
from jingzhi.api.v1 import urls as v1_urls


@csrf_exempt  # like every API view: an unknown path answers 404 for any method, never a CSRF page
def _api_not_found(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    from django.utils.translation import gettext as _

    return problem_response(request, 404, _("There is no such API endpoint."), code="not_found")


_docs_csp = csp_update({"style-src": [UNSAFE_INLINE]})

v1 = ([*v1_urls.urlpatterns, re_path(r"^.*$", _api_not_found)], "api")
open311 = ("jingzhi.api.open311.urls", "open311")

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The documentation pages are third-party bundles that style themselves with <style> elements: only they may.
    # Swagger UI's start-up script is served as a file (the split view), so no page needs an inline script.
    path("api/docs/", _docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", _docs_csp(SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")), name="api-redoc"),
    path("api/v1/", include(v1)),
    path("open311/v2/", include(open311)),
]
