"""Dates typed into query strings (filters, reports): one parser with one supported range.

`date.fromisoformat` accepts 0001-01-01 and 9999-12-31, and the first timedelta or time-zone shift on such a
date raises OverflowError deep inside a query, a 500. Every date a user can type is read here instead and a
date outside the range is bad input, with a message that names the range.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)


def _check(day: date) -> None:
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(_("Enter a date between %(min)s and %(max)s.") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})


def parse_query_date(raw: str) -> date:
    """YYYY-MM-DD within DATE_MIN..DATE_MAX; ValueError with a message for the user otherwise."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    _check(day)
    return day


def parse_query_month(raw: str) -> date:
    """YYYY-MM → the first day of that month; ValueError with a message for the user otherwise."""
    try:
        day = date.fromisoformat(raw.strip() + "-01")
    except ValueError:
        raise ValueError(_("Enter a month as YYYY-MM.")) from None
    _check(day)
    return day


def parse_query_datetime(raw: str) -> datetime:
    """An ISO date-time (local time if it has no zone) within the supported range."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    _check(moment.date())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
