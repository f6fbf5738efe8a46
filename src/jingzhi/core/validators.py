"""Checks for Chinese identifiers: phone numbers, resident ID numbers (GB 11643), credit codes (GB 32100)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# re.ASCII: in Python \d also matches other scripts' digits (١٢٣), which would be stored as typed.
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# Landlines as people type them: 024-12345678, 0410-1234567, or a bare 7–8 digit local number.
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}$", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# Characters that never belong in stored text: C0 controls but tab and newline (copy-paste from Word/PDF; they
# also make XML — Open311 — malformed), DEL and the C1 controls, bidirectional embeddings/overrides/isolates
# (U+202A–U+202E, U+2066–U+2069: "Trojan source" text that displays in another order than it reads), and
# zero-width characters (U+200B–U+200D, U+2060, U+FEFF) that make two names that look alike differ. Lone
# surrogates and U+FFFE/U+FFFF cannot be encoded or are not characters at all.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\u202a-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufffe\uffff]"
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SINGLE_LINE_SPACE = re.compile(r"[\t\n]+")


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Free text as it is stored: unsafe characters removed (see _UNSAFE), surrounding white space stripped.

    Multi-line text (case content, replies, notes, reasons) keeps its newlines and tabs, with CR LF made LF;
    single-line text (titles, names) has its line breaks and tabs turned into one space.
    """
    text = _LINE_BREAKS.sub("\n", "" if value is None else str(value))
    text = _UNSAFE.sub("", text)
    if not multiline:
        text = _SINGLE_LINE_SPACE.sub(" ", text)
    return text.strip()


def normalize_phone(value: str) -> str:
    # NFKC turns what a Chinese input method types (１３８, （０２４）, ＋86) into plain ASCII.
    return re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", value or "")).replace("+86", "", 1)


def validate_phone(value: str) -> None:
    phone = normalize_phone(value)
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise ValidationError(
            _("Enter a valid phone number: an 11-digit mobile number or a landline such as 024-12345678."),
            code="invalid_phone",
        )


def id_number_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number whose birth date exists and whose check character is right."""
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number, re.ASCII):
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a final digit or X."), code="invalid_id")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this ID number does not exist."), code="invalid_id") from None
    if born.year < 1900 or born > date.today():  # noqa: DTZ011 — a calendar date, not an instant
        raise ValidationError(_("The birth date inside this ID number does not exist."), code="invalid_id")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(_("This ID number's check digit is wrong; please check it for typing errors."), code="invalid_id")


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a check character."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(c not in _CREDIT_CHARS for c in code):
        raise ValidationError(_("A unified social credit code has 18 digits or capital letters."), code="invalid_credit_code")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("This unified social credit code's check character is wrong."), code="invalid_credit_code")
