from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

PERIODS: list[tuple[str, object]] = [("day", _("Day")), ("week", _("Week")), ("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")),
           ("custom", _("Custom range"))]


@register.simple_tag
def period_choices() -> list[tuple[str, object]]:
    return PERIODS
