"""Issue 10 #12: the public lookup page masks phone numbers, ID numbers and e-mail addresses written into texts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.cases import services as s
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_lookup_masks_personal_data_in_title_and_reply(city: Any, client_for: Any) -> None:
    case = CaseFactory(actor=city.operator, title="联系人王五 13800138000 反映供暖问题")
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher)
    case = s.case_acknowledge(case=case, actor=city.handler)
    s.case_reply(case=case, actor=city.handler,
                 reply="已联系王五（13800138000，身份证211202199001011234，wangwu@example.com），问题已解决。")
    html = Client().post(reverse("web:public_lookup"), {"number": case.number, "phone_last4": "5678"}).content.decode()
    assert "联系人王五 138****8000" in html and "问题已解决" in html
    for secret in ("13800138000", "211202199001011234", "wangwu@example.com"):
        assert secret not in html
    # Staff see the text as written.
    staff = client_for(city.operator).get(f"/cases/{case.number}/").content.decode()
    assert "13800138000" in staff
