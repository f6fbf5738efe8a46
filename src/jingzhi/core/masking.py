"""Personal data is masked wherever a list or an export shows it; reveals are audited elsewhere."""

from __future__ import annotations

import re


def mask_phone(value: str) -> str:
    """138****5678: keep the first three and last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """2112**********123X: keep the first four and the last four characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """张* / 欧阳** — the family name stays, the rest is hidden."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def _mask_email(value: str) -> str:
    local, _at, domain = value.partition("@")
    return local[:1] + "***@" + domain


# One pass over the text, longest shapes first: an 18-character ID number (its digits would otherwise also
# look like a phone number), an e-mail address, a mainland mobile number (optionally +86, optionally written
# 138-0013-8000 or 138 0013 8000), a landline with its area code (024-12345678, (0410)1234567). A bare 7–8
# digit local number is left alone: it cannot be told from the amounts and dates that fill case texts.
# re.ASCII: \d is 0–9 only; the lookarounds keep a match from starting or ending inside a longer number.
_PERSONAL = re.compile(
    r"(?P<id>(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z]))"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?P<mobile>(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d))"
    r"|(?P<landline>(?<!\d)(?:0\d{2,3}[- ]?|[(（]0\d{2,3}[)）] ?)\d{7,8}(?!\d))",
    re.ASCII,
)


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.lastgroup == "id":
        return mask_id_number(text)
    if match.lastgroup == "email":
        return _mask_email(text)
    digits = re.sub(r"\D", "", text)
    return mask_phone(digits[-11:] if match.lastgroup == "mobile" else digits)


def mask_personal_data(text: str) -> str:
    """Free text as the public may see it: phone numbers, ID numbers and e-mail addresses in it masked.

    `联系人王五 13800138000` → `联系人王五 138****8000`. Used wherever case text leaves for the public (the
    public lookup page, Open311); staff pages show the full text.
    """
    if not text:
        return text or ""
    return _PERSONAL.sub(_mask_match, text)
