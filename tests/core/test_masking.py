"""Masking of personal data in lists and exports: exact shapes, and nothing of the hidden part leaks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhi.core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("024-12345678", "024*****5678"),
        ("04101234567", "041****4567"),
        ("12345678", "123*5678"),
        ("1234567", "1******"),
        ("110", "1**"),
        ("", ""),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("21120219900307123X", "2112**********123X"),
        ("11010519491231002X", "1101**********002X"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("张", "张*"), ("欧阳娜娜", "欧***"), ("王小明", "王**"), ("", "")],
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


DIGITS = "0123456789"
# Plain ASCII digits built directly (a regex strategy is slow to start and may draw non-ASCII digits).
MOBILES = st.builds(lambda second, rest: "1" + second + rest, st.sampled_from("3456789"), st.text(DIGITS, min_size=9, max_size=9))
ID_NUMBERS = st.builds(lambda body, last: body + last, st.text(DIGITS, min_size=17, max_size=17), st.sampled_from(DIGITS + "X"))
# The machines running the suite are shared: time is no measure of correctness here.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(MOBILES)
def test_a_masked_mobile_hides_the_middle_four_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and masked[3:7] == "****"


@relaxed
@given(st.text(min_size=2, max_size=30))
def test_masks_keep_the_length_and_hide_something(value: str) -> None:
    for mask in (mask_phone, mask_id_number):
        masked = mask(value)
        assert len(masked) == len(value)
        assert "*" in masked
    # A one-character name grows to two, so its length gives nothing away either.
    assert len(mask_name(value)) == max(2, len(value))


@relaxed
@given(ID_NUMBERS)
def test_a_masked_id_number_hides_birth_date_and_sequence(number: str) -> None:
    masked = mask_id_number(number)
    assert masked[4:14] == "*" * 10
    assert masked[:4] + masked[14:] == number[:4] + number[14:]
