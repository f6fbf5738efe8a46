"""Field checks of the registry shared by the form, the import and the API: each names what is wrong."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

# GB/T 4754-2017: section letter A–T, then a 2-digit division, a 3rd digit (group) and a 4th (class).
_INDUSTRY = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$", re.ASCII)


def credit_code_problem(raw: str) -> tuple[str, str]:
    """(the code as stored, "" or the message naming the failing check) for a 统一社会信用代码 (GB 32100)."""
    code = uscc.compact(raw or "")
    try:
        uscc.validate(code)
    except InvalidLength:
        return code, _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}
    except InvalidFormat:
        return code, _("Format check failed: the first 8 characters of a credit code are digits (registering "
                       "authority, kind, division code) and the other 10 digits or capital letters other than "
                       "I, O, S, V and Z.")
    except InvalidChecksum:
        return code, _("Check character failed: for these first 17 characters the 18th must be “%(c)s”, not "
                       "“%(got)s”.") % {"c": uscc.calc_check_digit(code), "got": code[-1]}
    except ValidationError:
        return code, _("This is not a valid unified social credit code.")
    return code, ""


def industry_problem(code: str) -> str:
    if code and not _INDUSTRY.match(code):
        return _("An industry code (GB/T 4754) is a section letter A–T and up to four digits, e.g. C3670.")
    return ""


def amount(value: object, *, label: str, errors: dict[str, str], key: str) -> Decimal | None:
    """A non-negative figure in 10,000 yuan, or None when empty; a message under `key` otherwise."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors[key] = _("%(label)s must be a number (10,000 yuan).") % {"label": label}
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        errors[key] = _("%(label)s must be 0 or more and less than 10¹² (10,000 yuan).") % {"label": label}
        return None
    return number.quantize(Decimal("0.01"))


def count(value: object, *, label: str, errors: dict[str, str], key: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip().split(".")[0]) if str(value).strip().endswith(".0") else int(str(value).strip())
    except ValueError:
        errors[key] = _("%(label)s must be a whole number.") % {"label": label}
        return None
    if not 0 <= number < 10_000_000:
        errors[key] = _("%(label)s must be between 0 and 9,999,999.") % {"label": label}
        return None
    return number
