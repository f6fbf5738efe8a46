"""The admin's home page as the administrators' dashboard: calendar warnings and the Excel imports on top."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

INDEX_TEMPLATE = "admin/jingzhi_index.html"


def import_links(site: AdminSite, request: HttpRequest) -> list[dict[str, str]]:
    """One entry per admin that has an Excel import page this user may use."""
    from jingzhi.core.admin import ImportAdminMixin

    links: list[dict[str, str]] = []
    for model, model_admin in site._registry.items():
        if not isinstance(model_admin, ImportAdminMixin) or not model_admin.has_import_permission(request):
            continue
        opts = model._meta
        try:
            links.append({
                "title": str(model_admin.import_title or opts.verbose_name_plural),
                "url": reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_import"),
                "template_url": reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_import_template"),
            })
        except NoReverseMatch:  # pragma: no cover - an admin registered after the URLs were built
            continue
    return sorted(links, key=lambda link: link["url"])


def install_index_warnings(site: AdminSite) -> None:
    """Show the calendar warnings (core.services.calendar_warnings) and the import pages on the admin's index.

    The index view takes extra context, so the site's own view is wrapped rather than replaced; this must
    run before the site's URLs are built, which admin autodiscovery (importing core/admin.py) guarantees.
    """
    original = site.index
    if getattr(original, "jingzhi_wrapped", False):
        return

    def index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from jingzhi.core.services import calendar_warnings

        context = {
            "calendar_warnings": calendar_warnings(today=timezone.localdate()),
            "import_links": import_links(site, request),
            **(extra_context or {}),
        }
        return original(request, extra_context=context)

    index.jingzhi_wrapped = True  # type: ignore[attr-defined]
    site.index = index  # type: ignore[method-assign]
    site.index_template = INDEX_TEMPLATE
