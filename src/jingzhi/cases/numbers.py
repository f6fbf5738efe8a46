"""Public case numbers: TL20261125-000123-4827 — city prefix, local date, running number, three random
digits and a check character.

The running number alone let anyone walk the numbers of a day (issue 10, finding #1). The three random
digits make a number unguessable from its neighbours (1,000 candidates for each, times 10,000 phone
suffixes at the public lookup); the check character — ISO 7064 MOD 11-2 over the 17 digits, the same rule
as the resident ID number, so citizens know its X — catches a mistyped number before any database read.

Numbers issued before the check group existed (TL20221215-000123) stay valid and resolvable.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from jingzhi.core.validators import id_number_check_char

_NUMBER = re.compile(r"^(?P<prefix>[A-Z]{1,8})(?P<day>\d{8})-(?P<seq>\d{6})(?:-(?P<rand>\d{3})(?P<check>[0-9X]))?$")


def compose(prefix: str, day: date, seq: int, rand: int | None = None) -> str:
    """The number for the `seq`-th case of `day`; `rand` (0–999) is drawn when not given."""
    rand = secrets.randbelow(1000) if rand is None else rand
    digits = f"{day:%Y%m%d}{seq:06d}{rand:03d}"
    return f"{prefix}{day:%Y%m%d}-{seq:06d}-{rand:03d}{id_number_check_char(digits)}"


def normalize(number: str) -> str:
    return (number or "").strip().upper()


def is_well_formed(number: str) -> bool:
    """Shape and check character; True for old numbers without the check group. Reads no database."""
    m = _NUMBER.match(normalize(number))
    if m is None:
        return False
    if m.group("rand") is None:
        return True
    return id_number_check_char(m.group("day") + m.group("seq") + m.group("rand")) == m.group("check")


def running_part(number: str) -> str:
    """TL20261125-000123-4827 → TL20261125-000123 (the part that counts the day's cases)."""
    m = _NUMBER.match(normalize(number))
    return f"{m.group('prefix')}{m.group('day')}-{m.group('seq')}" if m else number
