"""Removing personal data from a solved case before its text becomes an article.

An article is read by every operator and, if public, by anyone: the requester's name, phone numbers, ID
numbers, e-mail addresses, house numbers and the handles of the message board must not travel with it.
Removed, not masked (core.masking keeps half a phone number; an article needs none of it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

_ID = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Any run of 7 or more digits, also written in groups (0731-0000-00000000, 138 0013 8000, (024)12345678).
_PHONE = re.compile(r"(?<![\d.])(?:\+?86[- ]?)?[(（]?\d{2,4}[)）]?(?:[- ]?\d{3,8}){1,3}(?![\d.])")
# A house number: 3栋2单元501, 5号楼1203室, 12-3-401.
_HOUSE = re.compile(r"\d+\s*(?:栋|幢|号楼)(?:\s*\d+\s*单元)?(?:\s*\d+\s*(?:室|号|房)?)?|\b\d{1,3}-\d{1,2}-\d{3,4}\b")
# A message-board handle (网友“A00077538”, A00045581) or a name after 网友/市民 in quotes.
_HANDLE = re.compile(r"(?:网友|市民)?\s*[“\"']?(?<![A-Za-z])[A-Z]{1,3}\d{5,}[”\"']?")


def _digits(match: re.Match[str]) -> str:
    text = match.group(0)
    return _("[phone]") if sum(ch.isdigit() for ch in text) >= 7 else text


def scrub(text: str, *, names: Iterable[str] = (), places: Iterable[str] = ()) -> str:
    """`text` without the personal data in it; `names` and `places` are the case's own (requester, address)."""
    out = text or ""
    for value in sorted({v.strip() for v in names if v and len(v.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(value, _("[name]"))
    for value in sorted({v.strip() for v in places if v and len(v.strip()) >= 4}, key=len, reverse=True):
        out = out.replace(value, _("[address]"))
    out = _ID.sub(_("[ID number]"), out)
    out = _EMAIL.sub(_("[e-mail]"), out)
    out = _HANDLE.sub(_("the requester"), out)
    out = _HOUSE.sub(_("[house number]"), out)
    out = _PHONE.sub(_digits, out)
    return out
