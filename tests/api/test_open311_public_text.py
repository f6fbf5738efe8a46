"""Issue 10 #10/#12: the public Open311 feed stays well-formed XML and masks personal data written into texts."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client

from jingzhi.api.open311.render import to_xml
from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent
from tests.api.test_open311 import BASE, submit

pytestmark = pytest.mark.django_db

CONTROL_REPLY = "已修复。\x0b第二段\x0c结束\x00\x1f"


def _replied(city: Any, taxonomy: Any, fms: str, reply: str, description: str = "路灯坏了，晚上很黑。") -> Case:
    number = submit(Client(), fms, taxonomy["heating"], description=description).json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher)
    case = s.case_acknowledge(case=case, actor=city.handler)
    return s.case_reply(case=case, actor=city.handler, reply=reply)


@pytest.fixture
def fms(city: Any, key_for: Any) -> str:
    return key_for(role="operator")


def test_a_reply_with_control_characters_keeps_the_xml_feeds_well_formed(city: Any, taxonomy: Any, fms: str) -> None:
    case = _replied(city, taxonomy, fms, CONTROL_REPLY)
    assert case.reply == "已修复。第二段结束"  # cleaned as intake text is
    for path in ("requests.xml", f"requests/{case.number}.xml", "servicerequestupdates.xml"):
        r = Client().get(f"{BASE}/{path}")
        assert r.status_code == 200
        ElementTree.fromstring(r.content)  # raises on a malformed document


def test_the_xml_renderer_drops_characters_xml_cannot_carry() -> None:
    # Rows stored before the cleaning existed must not break the feed either.
    body = to_xml("service_requests", [{"status_notes": "a\x0bb\x0c\x00c\ufffe", "description": "行1\n行2\t制表"}])
    root = ElementTree.fromstring(body)
    assert root.findtext("request/status_notes") == "abc"
    assert root.findtext("request/description") == "行1\n行2\t制表"


def test_an_old_event_note_with_control_characters_does_not_break_the_updates_feed(city: Any, taxonomy: Any, fms: str) -> None:
    case = _replied(city, taxonomy, fms, "已修复。")
    CaseEvent.objects.filter(case=case, action="reply").update(note="旧数据\x0b\x0c")
    Case.objects.filter(pk=case.pk).update(reply="旧数据\x0b\x0c")
    for path in ("requests.xml", "servicerequestupdates.xml"):
        ElementTree.fromstring(Client().get(f"{BASE}/{path}").content)


def test_public_texts_mask_phone_id_and_email(city: Any, taxonomy: Any, fms: str) -> None:
    reply = "已联系联系人王五 13800138000，身份证211202199001011234，邮箱 wangwu@example.com，座机024-22345678。"
    case = _replied(city, taxonomy, fms, reply, description="请回电 13912345678 找李四")
    [one] = Client().get(f"{BASE}/requests/{case.number}.json").json()
    updates = Client().get(f"{BASE}/servicerequestupdates.json").json()
    published = [one["status_notes"], one["description"], *[u["description"] for u in updates]]
    text = " ".join(published)
    for secret in ("13800138000", "211202199001011234", "wangwu@example.com", "22345678", "13912345678"):
        assert secret not in text
    assert "联系人王五 138****8000" in one["status_notes"]
    assert "139****5678" in one["description"]
    root = ElementTree.fromstring(Client().get(f"{BASE}/requests/{case.number}.xml").content)
    assert "13800138000" not in (root.findtext("request/status_notes") or "")
    # Staff see the full text.
    assert Case.objects.get(pk=case.pk).reply == reply
