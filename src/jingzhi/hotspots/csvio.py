"""Messages from a CSV file (the TipDM message board export, or any file with the columns named)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from jingzhi.hotspots.grouping import Message

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
# The formats message boards and spreadsheets write; the first that parses wins.
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                 "%Y/%m/%d", "%Y-%m-%d")


class InputError(Exception):
    """The file cannot be read as messages; the message says what to fix, in one line."""


@dataclass(frozen=True)
class Columns:
    """Which columns hold what; defaults fit the TipDM messages_for_hotspots.csv (id, user, title, detail,
    posted_at, likes, dislikes). `support` and `reporter` left as None use "likes" and "user" when the file has
    them; named explicitly, they must exist."""

    id: str = "id"
    text: Sequence[str] = ("title", "detail")
    time: str = "posted_at"
    support: str | None = None
    reporter: str | None = None


def _optional(header: Sequence[str], given: str | None, default: str, path: Path) -> str | None:
    if given is None:
        return default if default in header else None
    if given == "":
        return None
    if given not in header:
        raise InputError(f"{path}: missing column {given} (the file has: {', '.join(header)})")
    return given


def parse_time(value: str, zone: tzinfo = DEFAULT_ZONE) -> datetime:
    """A timestamp as written in the file; naive times are in `zone` (the city's)."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for fmt in _TIME_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - zone attached below
                break
            except ValueError:
                continue
        else:
            raise ValueError(value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def read_messages(path: str | Path, columns: Columns = Columns()) -> list[Message]:
    """Every row of the file as a Message; raises InputError on a missing file, column or bad time."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if not columns.text:
            raise InputError("give at least one text column")
        wanted = [columns.id, *columns.text, columns.time]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)} (the file has: {', '.join(header) or 'no header'})")
        support = _optional(header, columns.support, "likes", path)
        reporter = _optional(header, columns.reporter, "user", path)
        messages: list[Message] = []
        seen: set[str] = set()
        try:
            for line, row in enumerate(reader, start=2):
                ident = (row.get(columns.id) or "").strip()
                if not ident:
                    raise InputError(f"{path}:{line}: empty {columns.id}")
                if ident in seen:
                    raise InputError(f"{path}:{line}: {columns.id} {ident} occurs twice")
                seen.add(ident)
                raw_time = row.get(columns.time) or ""
                try:
                    at = parse_time(raw_time)
                except ValueError:
                    raise InputError(f"{path}:{line}: cannot read the time {raw_time!r} in column {columns.time}") from None
                texts = [(row.get(c) or "").strip() for c in columns.text]
                title = texts[0]
                detail = " ".join(t for t in texts[1:] if t)
                likes = 0
                if support:
                    try:
                        likes = int(float((row.get(support) or "0").strip() or 0))
                    except ValueError:
                        raise InputError(f"{path}:{line}: {support} is not a number: {row.get(support)!r}") from None
                messages.append(Message(id=ident, title=title, detail=detail, at=at, supporters=likes,
                                        reporter=(row.get(reporter) or "").strip() if reporter else ""))
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None
        except csv.Error as e:
            raise InputError(f"{path}: not a CSV file: {e}") from None
    return messages
