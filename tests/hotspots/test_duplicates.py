"""Duplicates at intake (issue 13): ranking, scope, one-click registration that counts once, and the panels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhi.cases.models import Case, CaseEvent, Status
from jingzhi.cases.services import case_create, case_merge
from jingzhi.core.errors import ValidationFailed
from jingzhi.hotspots.duplicates import LIKELY, duplicate_suggestions
from jingzhi.hotspots.models import HotspotMember
from jingzhi.metrics.rollup import compute_day
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db

CALL = {"title": "丽发新城小区旁搅拌站噪音太大", "content": "搅拌站晚上施工，噪音扰民，粉尘也大", "address": "丽发新城小区3栋"}


def _planted(city: Any) -> tuple[Case, Case]:
    original = new_case(city, division=city.county_a, title="丽发新城小区附近建搅拌站噪音扰民",
                        content="丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重", requester_phone="13800000001")
    parking = new_case(city, division=city.county_a, title="丽发新城小区物业乱收停车费",
                       content="物业违规收取停车费，每月三百元", requester_phone="13800000002")
    return original, parking


def test_a_planted_duplicate_ranks_first_and_another_problem_at_the_same_place_low(city: Any) -> None:
    original, parking = _planted(city)
    elsewhere = new_case(city, division=city.county_b, title="丽发新城小区附近建搅拌站噪音扰民",
                         content="丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重", requester_phone="13800000003")
    found = duplicate_suggestions(user=city.operator, division_code=city.county_a.code, **CALL)
    assert found and found[0].case == original and found[0].likely and found[0].same_place
    scores = {s.case.pk: s.score for s in found}
    assert scores.get(parking.pk, 0) < LIKELY and scores.get(parking.pk, 0) < scores[original.pk] - 0.3
    assert elsewhere.pk not in scores  # another county: another place, whatever the words


def test_only_open_or_recently_closed_cases_the_user_sees(city: Any) -> None:
    original, _parking = _planted(city)
    copy = new_case(city, division=city.county_a, title="丽发新城小区附近搅拌站噪音扰民严重",
                    content="搅拌站噪音和粉尘严重", requester_phone="13800000004")
    case_merge(case=copy, into=original, actor=city.operator)  # merged cases are not offered: their original is
    found = duplicate_suggestions(user=city.operator, division_code=city.county_a.code, **CALL)
    assert copy.pk not in {s.case.pk for s in found}
    later = timezone.now() + timedelta(days=45)  # past the window of 30 days
    assert duplicate_suggestions(user=city.operator, division_code=city.county_a.code, now=later, **CALL) == []
    assert duplicate_suggestions(user=city.county_leader, division_code=city.county_a.code, **CALL) == []  # other county
    assert duplicate_suggestions(user=city.operator, division_code="", **CALL) == []  # no place chosen yet


def test_registering_as_duplicate_counts_once_and_tells_the_original(city: Any) -> None:
    original, _parking = _planted(city)
    dup, created = case_create(actor=city.operator, channel="hotline", kind="complaint", division_code=city.county_a.code,
                               requester_name="王五", requester_phone="13900009999", title=CALL["title"],
                               content=CALL["content"], duplicate_of=original.number, idempotency_key="dup-1")
    assert created and dup.status == Status.MERGED and dup.merged_into == original and dup.lead_unit is None
    event = CaseEvent.objects.get(case=original, action="duplicate_added")
    assert event.data == {"duplicate": dup.number}
    assert not HotspotMember.objects.filter(case=dup).exists()  # grouped, counted and dispatched as the original
    rollup, _intake = compute_day(timezone.localdate())
    assert sum(a.counts["received"] for a in rollup.values()) == 2  # the original and the parking case, not the call
    assert sum(a.counts["merged"] for a in rollup.values()) == 1
    again, created = case_create(actor=city.operator, channel="hotline", kind="complaint", division_code=city.county_a.code,
                                 requester_phone="13900009999", title=CALL["title"], content=CALL["content"],
                                 duplicate_of=original.number, idempotency_key="dup-1")
    assert again == dup and not created
    with pytest.raises(ValidationFailed) as e:
        case_create(actor=city.operator, channel="hotline", kind="complaint", division_code=city.county_a.code,
                    requester_phone="13900009999", title="x" * 5, content="y" * 5, duplicate_of="TL-NO-SUCH")
    assert "duplicate_of" in e.value.fields and Case.objects.count() == 3


def test_the_duplicate_button_registers_the_call_into_the_original(city: Any, client_for: Any) -> None:
    original, _parking = _planted(city)
    operator = client_for(city.operator)
    page = operator.get(reverse("web:intake")).content.decode()
    token = page.split('name="token" value="')[1][:32]
    data = {"requester_name": "王五", "requester_phone": "13900009999", "channel": "hotline", "kind": "complaint",
            "priority": "normal", "division": city.county_a.code, "token": token, "duplicate_of": original.number, **CALL}
    response = operator.post(reverse("web:intake"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:case_detail", args=[original.number])
    assert original.number in response.content.decode() and Case.objects.filter(merged_into=original).count() == 1


def test_panels_access_matrix_and_content(city: Any, client_for: Any, client: Any) -> None:
    original, _parking = _planted(city)
    history = reverse("web:intake_history") + "?requester_phone=13800000001"
    dups = reverse("web:intake_duplicates") + "?" + "&".join(
        [f"division={city.county_a.code}", f"title={CALL['title']}", f"content={CALL['content']}"])
    for url in (history, dups):
        assert client.get(url).status_code == 302  # anonymous → sign in
        for user in (city.leader, city.handler, city.unit_head, city.supervisor):
            assert client_for(user).get(url).status_code == 403
    body = client_for(city.operator).get(history).content.decode()
    assert original.number in body and "张*" in body and "张三" not in body and "13800000001" not in body
    body = client_for(city.dispatcher).get(dups).content.decode()
    assert original.number in body and f'value="{original.number}"' in body
    assert "No earlier cases" in client_for(city.operator).get(
        reverse("web:intake_history") + "?requester_phone=13811112222").content.decode()
    assert client_for(city.operator).get(reverse("web:intake_history") + "?requester_phone=%00<script>").status_code in (200, 400)
