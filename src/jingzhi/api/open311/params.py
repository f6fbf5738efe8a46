"""Reading Open311 query and form arguments: dates, lists, locations, attributes. Bad input → Open311Error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

MAX_RANGE = timedelta(days=90)
MAX_PAGE_SIZE = 1000
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,60})\](\[\])?$")


class Open311Error(Exception):
    """An error the client must see as Open311 `errors`, with the HTTP status of the spec."""

    def __init__(self, status: int, description: str, code: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.errors = [(code or status, description)]


def optional(data: Any, name: str) -> str:
    """The spec: an empty optional argument is the same as an absent one."""
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_when(raw: str, name: str, *, end: bool = False) -> datetime:
    """ISO-8601 datetime (with zone; a missing zone means local time) or a plain date (its start, or its end for end dates)."""
    value = None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s is not a valid date or date-time (use ISO 8601, e.g. 2026-11-01T08:00:00+08:00).")
                           % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def date_range(data: Any, *, now: datetime, default: timedelta = MAX_RANGE) -> tuple[datetime, datetime]:
    """start_date/end_date, at most 90 days apart; without them the last `default` before now."""
    raw_start, raw_end = optional(data, "start_date"), optional(data, "end_date")
    start = parse_when(raw_start, "start_date") if raw_start else None
    end = parse_when(raw_end, "end_date", end=True) if raw_end else None
    if start is None and end is None:
        end, start = now, now - default
    elif start is None:
        assert end is not None
        start = end - default
    elif end is None:
        end = min(start + MAX_RANGE, max(now, start))
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_RANGE:
        raise Open311Error(400, _("The date range may span at most 90 days."))
    return start, end


def comma_list(data: Any, name: str, *, limit: int = 100) -> list[str]:
    items = [v.strip() for v in optional(data, name).split(",") if v.strip()]
    if len(items) > limit:
        raise Open311Error(400, _("%(name)s lists at most %(max)d values.") % {"name": name, "max": limit})
    return items


def positive_int(data: Any, name: str, default: int, *, maximum: int) -> int:
    raw = optional(data, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Error(400, _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum})
    return int(raw)


def truthy(data: Any, name: str) -> bool:
    return optional(data, name).lower() in {"1", "true", "yes"}


@dataclass
class Location:
    lat: Decimal | None = None
    long: Decimal | None = None
    address: str = ""
    address_id: str = ""


def location(data: Any) -> Location:
    """lat+long, address_string or address_id: at least one, and coordinates inside their ranges."""
    loc = Location(address=optional(data, "address_string")[:200], address_id=optional(data, "address_id")[:12])
    raw_lat, raw_long = optional(data, "lat"), optional(data, "long")
    if raw_lat or raw_long:
        if not (raw_lat and raw_long):
            raise Open311Error(400, _("Send lat and long together."))
        try:
            loc.lat, loc.long = Decimal(raw_lat), Decimal(raw_long)
            if not (loc.lat.is_finite() and loc.long.is_finite()):
                raise InvalidOperation
        except InvalidOperation:
            raise Open311Error(400, _("lat and long must be decimal numbers (WGS84).")) from None
        if not (-90 <= loc.lat <= 90 and -180 <= loc.long <= 180):
            raise Open311Error(400, _("Latitude must be between -90 and 90 and longitude between -180 and 180."))
    if loc.lat is None and not loc.address and not loc.address_id:
        raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))
    return loc


@dataclass
class Attributes:
    values: dict[str, list[str]] = field(default_factory=dict)

    def one(self, code: str) -> str:
        return (self.values.get(code) or [""])[0].strip()


def attributes(data: Any) -> Attributes:
    """`attribute[code]=v` and, for multi-value lists, `attribute[code][]=v`."""
    found = Attributes()
    getlist = getattr(data, "getlist", None)
    for key in list(data.keys()):
        match = _ATTRIBUTE.match(key)
        if match:
            values = getlist(key) if getlist else [data[key]]
            found.values.setdefault(match.group(1), []).extend(str(v)[:200] for v in values)
    return found
