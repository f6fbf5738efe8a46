"""Issue 10 #12: phone numbers, ID numbers and e-mail addresses inside free text are masked for the public."""

from __future__ import annotations

import pytest

from jingzhi.core.masking import mask_personal_data


@pytest.mark.parametrize(("text", "masked"), [
    ("联系人王五 13800138000", "联系人王五 138****8000"),
    ("电话138-0013-8000。", "电话138****8000。"),
    ("+86 13800138000", "138****8000"),
    ("座机024-22345678", "座机024****5678"),
    ("座机（0410）2345678转", "座机041****5678转"),
    ("身份证211202199001011234", "身份证2112**********1234"),
    ("身份证号21120219900101123X。", "身份证号2112**********123X。"),
    ("邮箱wangwu@example.com", "邮箱w***@example.com"),
    # Not personal data: case numbers, dates, amounts, short numbers stay as they are.
    ("工单TL20221215-000123已办结", "工单TL20221215-000123已办结"),
    ("2026年11月2日，温度15度，费用12345678元", "2026年11月2日，温度15度，费用12345678元"),
    ("", ""),
])
def test_masks(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked
