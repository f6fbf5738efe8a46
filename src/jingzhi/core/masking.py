"""Personal data is masked wherever a list or an export shows it; reveals are audited elsewhere."""

from __future__ import annotations


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
