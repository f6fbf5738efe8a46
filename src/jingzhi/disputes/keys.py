"""Keyed hashes of a party's phone number, ID number and of an address, so the same party is found again.

A dispute's parties are personal data. To ask "has this phone number an open dispute?" without a LIKE over
the plain numbers (and without an index that reveals them), each party row also holds an HMAC-SHA256 of the
normalised value, keyed with a key derived from SECRET_KEY. An exact match is one indexed equality; the hash
alone tells nothing without the key. Cases have no such hash yet, so the helper lives here (a case's requester
is hashed on the fly when the case-created hook looks for open disputes).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from django.conf import settings

from jingzhi.core.validators import normalize_phone

_SPACE_AND_PUNCT = re.compile(r"[\s\-_,，.。、·:：;；/\\()（）#＃]+")


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    # A separate key per purpose: a leak of one derived key does not give SECRET_KEY or the other keys.
    return hmac.new(secret.encode(), b"jingzhi.disputes.party-key.v1", hashlib.sha256).digest()


def keyed(kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of `kind:value` under the derived key; "" for an empty value."""
    if not value:
        return ""
    return hmac.new(_key(settings.SECRET_KEY), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def phone_key(phone: str) -> str:
    """The key of a phone number as typed (full-width digits, +86, spaces and dashes do not matter)."""
    digits = re.sub(r"\D", "", normalize_phone(phone or ""))
    return keyed("phone", digits) if len(digits) >= 7 else ""


def id_key(id_number: str) -> str:
    """The key of a resident ID number (upper-case X)."""
    number = unicodedata.normalize("NFKC", id_number or "").strip().upper()
    return keyed("id", number) if len(number) == 18 else ""


def normalise_address(address: str) -> str:
    """An address as compared: NFKC, no spaces or punctuation."""
    return _SPACE_AND_PUNCT.sub("", unicodedata.normalize("NFKC", address or ""))


def address_key(address: str) -> str:
    """The key of a house-level address; "" for an address without a number (a bare community name would
    otherwise match every case in that community)."""
    text = normalise_address(address)
    return keyed("address", text) if len(text) >= 6 and re.search(r"\d", text) else ""
