"""What the page modules share: role gates, turning service errors into form errors, safe redirects.

The helpers themselves live in core.http and org.http so that the pages of dispatch, metrics and
campaigns can use them without importing web (ADR 011); web's pages import them from here.
"""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from jingzhi.core.http import apply_error, safe_next
from jingzhi.org.http import role_required

__all__ = ["apply_error", "favicon", "role_required", "safe_next"]


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and the admin ask for whatever the page links: no 404 in the console."""
    return HttpResponsePermanentRedirect(static("jingzhi/favicon.svg"))
