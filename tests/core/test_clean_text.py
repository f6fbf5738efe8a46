"""Issue 10 #10/#17: one cleaning of stored free text — controls, bidi overrides and zero-width characters go."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingzhi.core.validators import clean_text

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize(("raw", "single", "multi"), [
    ("  路灯\x0b坏了\x0c ", "路灯坏了", "路灯坏了"),
    ("第一行\r\n第二行\t备注", "第一行 第二行 备注", "第一行\n第二行\t备注"),
    (f"张{ZERO_WIDTH}三", "张三", "张三"),
    (f"invoice\u202egnp.exe{BIDI}", "invoicegnp.exe", "invoicegnp.exe"),
    ("\x00\x7f\x85\x9f", "", ""),
    (None, "", ""),
])
def test_clean_text(raw: Any, single: str, multi: str) -> None:
    assert clean_text(raw) == single
    assert clean_text(raw, multiline=True) == multi


@given(st.text())
def test_nothing_unsafe_survives(raw: str) -> None:
    for text in (clean_text(raw), clean_text(raw, multiline=True)):
        assert not any(ch in text for ch in BIDI + ZERO_WIDTH)
        assert all(ch in "\t\n" or (ord(ch) >= 0x20 and not 0x7f <= ord(ch) <= 0x9f) for ch in text)
        text.encode("utf-8")  # no lone surrogates
        assert clean_text(text, multiline=True) == text  # cleaning is idempotent


@pytest.mark.django_db
def test_services_store_names_and_texts_cleaned(city: Any) -> None:
    from tests import factories as f

    from jingzhi.cases import services as s

    unit = f.unit("BIDI", f"住建\u202e局{ZERO_WIDTH}", city.city)
    user = f.user("handler", unit, display_name="王\u200b五\u2066")
    division = f.division("211204", "清\ufeff河区", "county", city.city)
    assert (unit.name, user.display_name, division.name) == ("住建局", "王五", "清河区")
    case = f.CaseFactory(actor=city.operator, title="标题\u202e\x0b", content="第一行\r\n第二行\x0c")
    assert (case.title, case.content) == ("标题", "第一行\n第二行")
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, note="派\x0b单")
    case = s.case_acknowledge(case=case, actor=city.handler)
    case = s.case_add_note(case=case, actor=city.handler, note="已上门\u200d\x0c。\n明日复查")
    case = s.case_reply(case=case, actor=city.handler, reply="已修复\x0b\x0c。")
    assert case.reply == "已修复。"
    notes = list(case.events.order_by("pk").values_list("note", flat=True))
    assert "派单" in notes and "已上门。\n明日复查" in notes and "已修复。" in notes
