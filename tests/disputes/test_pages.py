"""The register's pages: the access matrix, the list, a dispute, the forms (bad input, retries), the actions,
the supervision board's tab, the case page's panel, the figures and their export."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.core.models import AuditLog
from jingzhi.disputes.models import Dispute, Risk, Step, Visit
from jingzhi.disputes.services import dispute_end
from tests.disputes.conftest import register
from tests.web.helpers import case_in, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(city: Any, police: Any) -> Dispute:
    return register(police.officer_a, police.station_a, city.county_a, phone="13912345678", risk=Risk.HIGH)


def test_access_matrix_for_reading(city: Any, police: Any, dispute: Dispute, client_for: Any) -> None:
    detail = reverse("disputes:detail", args=[dispute.pk])
    pages = [reverse("disputes:list"), detail, reverse("disputes:figures")]
    for url in pages:
        r = Client().get(url)
        assert r.status_code == 302 and "/login" in r["Location"], url
    assert client_for(police.officer_a).get(detail).status_code == 200
    assert client_for(police.zfw_city).get(detail).status_code == 200
    assert client_for(city.leader).get(detail).status_code == 200
    assert client_for(police.officer_b).get(detail).status_code == 404  # other station
    assert client_for(city.county_leader).get(detail).status_code == 404  # other county
    assert client_for(city.handler).get(detail).status_code == 404  # other unit
    assert client_for(city.handler).get(reverse("disputes:figures")).status_code == 403  # wrong role
    body = client_for(police.officer_b).get(reverse("disputes:list")).content.decode()
    assert dispute.number not in body


def test_access_matrix_for_writing(city: Any, police: Any, dispute: Dispute, client_for: Any) -> None:
    url = reverse("disputes:step", args=[dispute.pk])
    data = {"kind": "visit", "note": "上门走访"}
    assert Client().post(url, data).status_code == 302
    assert client_for(city.leader).post(url, data).status_code == 403  # leaders read, do not work
    assert client_for(police.officer_b).post(url, data).status_code == 404
    assert client_for(city.handler).post(url, data).status_code == 404
    assert client_for(police.officer_a).get(url).status_code == 405
    assert not Step.objects.exists()
    r = client_for(police.officer_a).post(url, data)
    assert r.status_code == 302 and Step.objects.filter(dispute=dispute).count() == 1
    assert client_for(city.leader).get(reverse("disputes:new")).status_code == 403
    assert client_for(city.supervisor).get(reverse("disputes:from_case", args=["TL20260101-000001"])).status_code == 403


def test_the_dispute_page_masks_parties_and_shows_escalation(city: Any, police: Any, dispute: Dispute, client_for: Any) -> None:
    page = client_for(police.officer_a).get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "王*" in page and "王大力" not in page
    assert 'id="dispute-escalation"' in page and 'id="action-step"' in page
    leader_page = client_for(city.leader).get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert 'id="dispute-actions"' not in leader_page


def test_new_dispute_form_registers_once_and_refuses_bad_input(city: Any, police: Any, client_for: Any) -> None:
    client = client_for(police.officer_a)
    form = client.get(reverse("disputes:new"))
    token = form.context["form"].initial["token"]
    data = {"type": "labour", "summary": "工地欠薪", "risk": "2", "source": "screening", "division": city.county_a.code,
            "place": "西丰镇建设路8号", "station": police.station_a.pk, "token": token,
            "party_0_name": "周工", "party_0_phone": "13811112222", "party_1_name": "某建筑公司"}
    bad = client.post(reverse("disputes:new"), {**data, "summary": ""})
    assert bad.status_code == 400 and not Dispute.objects.exists()
    bad = client.post(reverse("disputes:new"), {**data, "party_0_phone": "12345"})
    assert bad.status_code == 400 and not Dispute.objects.exists()
    assert 'id="id_party_0_phone_error"' in bad.content.decode() and "11-digit mobile" in bad.content.decode()
    first = client.post(reverse("disputes:new"), data)
    again = client.post(reverse("disputes:new"), data)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Dispute.objects.count() == 1
    expired = client.post(reverse("disputes:new"), {**data, "token": "x"})
    assert expired.status_code == 400 and Dispute.objects.count() == 1


def test_a_case_becomes_a_dispute_from_its_page(city: Any, police: Any, client_for: Any) -> None:
    case = new_case(city, division=city.county_a, requester_phone="13512345678", title="邻居噪音纠纷")
    client = client_for(city.dispatcher)
    case_page = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert reverse("disputes:from_case", args=[case.number]) in case_page
    r = client.post(reverse("disputes:from_case", args=[case.number]),
                    {"type": "neighbour", "risk": "1", "station": police.station_a.pk, "summary": "",
                     "token": "0" * 32})
    dispute = Dispute.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("disputes:detail", args=[dispute.pk])
    case_page = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert dispute.number in case_page and reverse("disputes:from_case", args=[case.number]) not in case_page
    # the dispute shows its case to the station, which leads no such case: counted, not shown
    page = client_for(police.officer_a).get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "1 more linked case outside your view" in page
    assert client_for(police.officer_a).get(reverse("disputes:from_case", args=[case.number])).status_code == 404


def test_overdue_visits_reach_the_supervision_board(city: Any, police: Any, dispute: Dispute, client_for: Any) -> None:
    dispute_end(actor=police.officer_a, dispute_id=dispute.pk, action="resolve", outcome="和解", visit_days=(-2,))
    assert Visit.objects.filter(dispute=dispute).count() == 1
    board = client_for(city.supervisor).get(reverse("web:supervision")).content.decode()
    assert 'id="dispute-board-tab"' in board and '<span class="count hot">1</span></a>' in board.split('id="dispute-board-tab"')[1][:200]
    listed = client_for(city.supervisor).get(reverse("disputes:list") + "?overdue=1&status=").content.decode()
    assert dispute.number in listed


def test_actions_with_bad_input_change_nothing(city: Any, police: Any, dispute: Dispute, client_for: Any) -> None:
    client = client_for(police.officer_a)
    r = client.post(reverse("disputes:end", args=[dispute.pk]), {"action": "resolve", "outcome": "  "})
    assert r.status_code == 400 and Dispute.objects.get(pk=dispute.pk).is_open
    r = client.post(reverse("disputes:link", args=[dispute.pk]), {"case_number": "TL-nope"})
    assert r.status_code == 302 and not dispute.case_links.exists()
    r = client.post(reverse("disputes:visit_record", args=[dispute.pk, 999999]), {"note": "x", "stable": "1"})
    assert r.status_code == 302
    visible = case_in(city, "accepted", division=city.county_a)
    r = client_for(city.admin).post(reverse("disputes:link", args=[dispute.pk]), {"case_number": visible.number})
    assert r.status_code == 302 and dispute.case_links.count() == 1


def test_figures_page_and_export(city: Any, police: Any, dispute: Dispute, client_for: Any) -> None:
    client = client_for(police.zfw_city)
    assert client_for(police.chief_a).get(reverse("disputes:figures")).status_code == 200
    client = client_for(city.leader)
    page = client.get(reverse("disputes:figures")).content.decode()
    assert "西丰镇派出所" in page
    r = client.get(reverse("disputes:figures") + "?format=xlsx&from=2000-01-01&to=bogus")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", object_type="dispute_figures").count() == 1


def test_the_register_and_a_dispute_take_a_fixed_number_of_queries(city: Any, police: Any, client_for: Any,
                                                                   django_assert_max_num_queries: Any) -> None:
    for i in range(12):
        register(police.officer_a, police.station_a, city.county_a, phone=f"1390000{i:04d}", other=f"1370000{i:04d}")
    client = client_for(police.officer_a)
    client.get(reverse("disputes:list"))  # warm the session and the caches
    with django_assert_max_num_queries(14):
        assert client.get(reverse("disputes:list")).status_code == 200
    d = Dispute.objects.first()
    assert d is not None
    with django_assert_max_num_queries(22):
        assert client.get(reverse("disputes:detail", args=[d.pk])).status_code == 200
