"""Chinese identifiers: phone numbers, resident ID numbers (GB 11643 check character), credit codes (GB 32100)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhi.core.validators import (
    credit_code_check_char,
    id_number_check_char,
    normalize_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
DIGITS = "0123456789"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z


def _iso7064_mod11_2_ok(number: str) -> bool:
    """GB 11643 as the standard states it, independently of the code under test: Σ aᵢ·2^(18−i) ≡ 1 (mod 11), X = 10."""
    values = [10 if c == "X" else int(c) for c in number]
    return sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values)) % 11 == 1


# ---- phones -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["13812345678", "19912345678", "+8613812345678", "138 1234 5678", "024-12345678", "02412345678", "0410-1234567",
     "(0410)1234567", "（024）12345678", "１３８１２３４５６７８", "＋86 138 1234 5678", "12345678", "7654321"],
)
def test_valid_phones(phone: str) -> None:
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    ["", "1381234567", "138123456789", "12812345678", "23812345678", "1381234567a", "138-1234-5678x", "024-123456",
     "024-123456789", "00000", "110", "+1 415 555 0100", "138١٢٣٤٥٦٧٨"],
)
def test_invalid_phones(phone: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_phone(phone)
    assert exc.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("+86 138 1234 5678", "13812345678"), ("(024) 1234 5678", "02412345678"), ("（024）12345678", "02412345678"),
     (" 13812345678 ", "13812345678"), ("１３８１２３４５６７８", "13812345678"), ("＋86 138 1234 5678", "13812345678"),
     ("", "")],
)
def test_normalize_phone(typed: str, normal: str) -> None:
    assert normalize_phone(typed) == normal


# ---- resident ID numbers (GB 11643) -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("21120219900307123", "X"), ("44030819991231001", "0"), ("11010120000101001", "0")],
)
def test_check_character_matches_the_standard(first17: str, check: str) -> None:
    assert id_number_check_char(first17) == check
    assert _iso7064_mod11_2_ok(first17 + check)


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", " 21120219900307123X ", "440308199912310010"])
def test_valid_id_numbers(number: str) -> None:
    validate_id_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit
        "11010519491231002Y",  # a letter other than X
        "110105194902300027",  # 30 February
        "110105189912310021",  # born before 1900
        "110105209912310021",  # born in the future
        "11010519491231002",   # 17 characters
        "11010519491231002X1",  # 19 characters
        "110105491231002",     # the old 15-digit form
        "",
        "1101051949１231002X",  # a full-width digit
    ],
)
def test_invalid_id_numbers(number: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert exc.value.code == "invalid_id"


def test_the_wrong_check_digit_error_says_so() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number("110105194912310021")
    assert "check" in str(exc.value.messages[0]).lower() or "校验" in str(exc.value.messages[0])


def test_born_today_is_valid_and_tomorrow_is_not() -> None:
    today = date.today()  # noqa: DTZ011 — the validator compares calendar dates
    for born, ok in ((today, True), (today + timedelta(days=1), False)):
        first17 = f"110105{born:%Y%m%d}001"
        number = first17 + id_number_check_char(first17)
        if ok:
            validate_id_number(number)
        else:
            with pytest.raises(ValidationError):
                validate_id_number(number)


@relaxed
@given(
    region=st.text(DIGITS, min_size=6, max_size=6),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    seq=st.text(DIGITS, min_size=3, max_size=3),
    wrong=st.sampled_from(DIGITS + "X"),
)
def test_exactly_one_check_character_is_valid(region: str, born: date, seq: str, wrong: str) -> None:
    first17 = f"{region}{born:%Y%m%d}{seq}"
    right = id_number_check_char(first17)
    validate_id_number(first17 + right)
    assert _iso7064_mod11_2_ok(first17 + right)
    if wrong != right:
        assert not _iso7064_mod11_2_ok(first17 + wrong)
        with pytest.raises(ValidationError):
            validate_id_number(first17 + wrong)


@relaxed
@given(
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2010, 12, 31)),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_a_single_mistyped_digit_is_caught(born: date, position: int, delta: int) -> None:
    first17 = f"211202{born:%Y%m%d}123"
    number = first17 + id_number_check_char(first17)
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(typo)


# ---- unified social credit codes (GB 32100) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91350100m000100y43", " 91350100M000100Y43 "])
def test_valid_credit_codes(code: str) -> None:
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y44", "91350100M000100Y4", "91350100M000100Y433", "91350100O000100Y43", "91350100I000100Y43", ""],
)
def test_invalid_credit_codes(code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "invalid_credit_code"


@relaxed
@given(body=st.text(CREDIT_CHARS, min_size=17, max_size=17), other=st.sampled_from(CREDIT_CHARS))
def test_credit_code_check_character(body: str, other: str) -> None:
    check = credit_code_check_char(body)
    # GB 32100 (ISO 7064 MOD 31-3): the weighted sum plus the check value is a multiple of 31.
    weights = [pow(3, i, 31) for i in range(17)]
    assert (sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, weights, strict=True)) + CREDIT_CHARS.index(check)) % 31 == 0
    validate_credit_code(body + check)
    if other != check:
        with pytest.raises(ValidationError):
            validate_credit_code(body + other)
