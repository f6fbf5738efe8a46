"""The register over REST: the access matrix, masked parties, idempotent create, from-case, actions, figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jingzhi.disputes.models import Dispute, Risk
from tests.disputes.conftest import register
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/disputes/"


@pytest.fixture
def dispute(city: Any, police: Any) -> Dispute:
    return register(police.officer_a, police.station_a, city.county_a, phone="13912345678")


def test_access_matrix(city: Any, police: Any, dispute: Dispute, api: Any) -> None:
    url = f"{BASE}{dispute.pk}/"
    assert Client().get(url).status_code == 401
    assert Client().get(BASE).status_code == 401
    assert api(police.officer_a).get(url).status_code == 200
    assert api(police.zfw_city).get(url).status_code == 200
    assert api(police.officer_b).get(url).status_code == 404  # other station
    assert api(city.county_leader).get(url).status_code == 404  # other county
    assert api(city.handler).get(url).status_code == 404  # other unit
    step = {"kind": "visit", "note": "上门"}
    assert api(city.leader).post(f"{url}steps/", step, content_type="application/json").status_code == 403  # wrong role
    assert api(police.officer_b).post(f"{url}steps/", step, content_type="application/json").status_code == 404
    assert api(police.officer_b).get(BASE).json()["count"] == 0
    body = api(police.officer_a).get(url).json()
    assert body["parties"][0] == {"name": "王**", "phone": "139****5678", "id_number": ""}


def test_register_idempotently_and_refuse_bad_input(city: Any, police: Any, api: Any) -> None:
    client = api(police.officer_a)
    data = {"type": "family", "summary": "家庭纠纷", "division": city.county_a.code, "station": police.station_a.code,
            "risk": Risk.HIGH, "parties": [{"name": "韩梅", "phone": "13700001111"}]}
    bad = client.post(BASE, {**data, "parties": [{"name": "韩梅", "phone": "1"}]}, content_type="application/json")
    assert bad.status_code == 400 and "party_0_phone" in bad.json()["errors"] and not Dispute.objects.exists()
    assert client.post(BASE, {**data, "station": "NOPE"}, content_type="application/json").status_code == 400
    first = client.post(BASE, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a-1")
    again = client.post(BASE, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    assert first.json()["escalation_due"] is not None
    other = api(police.officer_b).post(BASE, {**data, "division": city.county_b.code}, content_type="application/json")
    assert other.status_code == 403  # station B registers only for itself or in its area
    assert Dispute.objects.count() == 1


def test_from_case_actions_and_figures(city: Any, police: Any, api: Any) -> None:
    case = new_case(city, division=city.county_a, requester_phone="13512345678")
    client = api(city.dispatcher)
    made = client.post(f"{BASE}from-case/", {"case_number": case.number, "type": "neighbour", "station": police.station_a.code},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["cases"] == [{"number": case.number, "relation": "origin", "status": "accepted"}]
    pk = made.json()["id"]
    officer = api(police.officer_a)
    assert officer.post(f"{BASE}{pk}/steps/", {"kind": "mediation", "note": "调解"}, content_type="application/json").status_code == 201
    ended = officer.post(f"{BASE}{pk}/end/", {"action": "resolve", "outcome": "和解"}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["status"] == "resolved" and ended.json()["sessions_to_resolve"] == 1
    assert officer.post(f"{BASE}{pk}/end/", {"action": "close", "outcome": "x"}, content_type="application/json").status_code == 409
    visit = ended.json()["visits"][0]["id"]
    recorded = officer.post(f"{BASE}{pk}/visits/{visit}/", {"note": "稳定", "stable": True}, content_type="application/json")
    assert recorded.status_code == 200 and recorded.json()["visits"][0]["stable"] is True
    rows = api(police.zfw_city).get(f"{BASE}figures/").json()
    assert rows[0]["station"] == "西丰镇派出所" and rows[0]["total"]["first_mediation"] == 1
    assert api(police.zfw_city).get(f"{BASE}figures/?from=nope").status_code == 400
    assert api(police.officer_a).get(f"{BASE}?party=13512345678&status=any").json()["count"] == 1
    assert api(police.officer_a).get(f"{BASE}?party=13512345679&status=any").json()["count"] == 0
