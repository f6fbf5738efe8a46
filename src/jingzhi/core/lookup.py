"""Keyed digests of personal data, so a case can be found by a requester's phone, ID number or name without
searching the plain text (issue 13).

A digest is HMAC-SHA256 over the normalised value, keyed with JINGZHI_LOOKUP_KEY (or, when that is unset, a
key derived from SECRET_KEY). Unlike a plain hash, a stolen copy of the table cannot be matched against the
few hundred million possible phone numbers without the key. Equal values give equal digests, so a lookup is an
exact match on an indexed column; there is no partial match, by design (no LIKE over personal data).
Changing the key means rebuilding the stored digests: `jingzhi manage rebuild_requester_digests`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

from jingzhi.core.validators import normalize_phone

DIGEST_CHARS = 32  # 128 bits of the HMAC, hex: collisions are out of reach for any city's case count


def _key() -> bytes:
    configured = str(getattr(settings, "JINGZHI_LOOKUP_KEY", "") or "")
    if configured:
        return configured.encode()
    # Derived, not the SECRET_KEY itself: the same secret is never used for two purposes as is.
    return hmac.new(str(settings.SECRET_KEY).encode(), b"jingzhi.lookup", hashlib.sha256).digest()


def normalize_name(value: str) -> str:
    """张 三 / 张三 / ＺＨＡＮＧ → one spelling: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).lower()


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


_NORMALIZE = {"phone": normalize_phone, "id": normalize_id_number, "name": normalize_name}


def digest(kind: str, value: str) -> str:
    """The keyed digest of a phone ("phone"), ID number ("id") or name ("name"); "" for an empty value."""
    normal = _NORMALIZE[kind](value or "")
    if not normal:
        return ""
    return hmac.new(_key(), f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARS]
