"""Assessment periods: a day, week, month, quarter, year or a custom range of local dates, and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.dates import parse_query_date
from jingzhi.core.errors import ValidationFailed

KINDS = ("day", "week", "month", "quarter", "year", "custom")
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # inclusive
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before, of the same kind (the same length for day, week and custom ranges)."""
        if self.kind == "month":
            end = self.start - timedelta(days=1)
            return Period("month", end.replace(day=1), end)
        if self.kind == "quarter":
            end = self.start - timedelta(days=1)
            return Period("quarter", date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end)
        if self.kind == "year":
            return Period("year", date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31))
        return Period(self.kind, self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def query(self) -> dict[str, str]:
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind, "date": self.start.isoformat()}


def period_of(kind: str, anchor: date) -> Period:
    """The period of this kind that contains `anchor`."""
    if kind == "day":
        return Period("day", anchor, anchor)
    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return Period("week", start, start + timedelta(days=6))
    if kind == "month":
        start = anchor.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return Period("month", start, nxt - timedelta(days=1))
    if kind == "quarter":
        start = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
        nxt = (start + timedelta(days=95)).replace(day=1)
        return Period("quarter", start, nxt - timedelta(days=1))
    if kind == "year":
        return Period("year", date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    raise ValueError(kind)


def parse_period(data: Any, *, default: str = "month", today: date | None = None) -> Period:
    """Read ?period=month&date=2026-11-01 or ?period=custom&start=…&end=…; bad input is a clear error."""
    today = today or timezone.localdate()
    kind = (data.get("period") or default).strip()
    errors: dict[str, str] = {}
    if kind not in KINDS:
        raise ValidationFailed(_("Please correct the period."), fields={"period": _("Unknown period.")})
    if kind == "custom":
        dates: dict[str, date] = {}
        for name in ("start", "end"):
            try:
                dates[name] = parse_query_date(data.get(name) or "")
            except ValueError as e:
                errors[name] = str(e)
        if not errors and dates["start"] > dates["end"]:
            errors["end"] = _("The end date is before the start date.")
        if not errors and (dates["end"] - dates["start"]).days >= MAX_CUSTOM_DAYS:
            errors["end"] = _("A custom period may span at most three years.")
        if errors:
            raise ValidationFailed(_("Please correct the period."), fields=errors)
        return Period("custom", dates["start"], dates["end"])
    raw = (data.get("date") or "").strip()
    try:
        anchor = parse_query_date(raw) if raw else today
    except ValueError as e:
        raise ValidationFailed(_("Please correct the period."), fields={"date": str(e)}) from None
    return period_of(kind, anchor)
