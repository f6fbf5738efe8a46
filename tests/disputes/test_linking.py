"""Cases and disputes: a case turned into a dispute, a case linked by hand, new cases flagged by the hook."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.core.models import Notification
from jingzhi.disputes.models import Dispute, DisputeCase, Source
from jingzhi.disputes.services import dispute_from_case, dispute_link_case
from tests.disputes.conftest import register
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db


def test_a_hotline_case_becomes_a_dispute_once_and_the_dispute_shows_it(city: Any, police: Any) -> None:
    case = new_case(city, division=city.county_a, title="邻居长期占用楼道堆放杂物", requester_name="孙小梅",
                    requester_phone="13512345678", address="西丰镇幸福小区5号楼1单元")
    dispute, created = dispute_from_case(actor=city.dispatcher, case_number=case.number, type="neighbour",
                                         station=police.station_a)
    assert created and dispute.source == Source.HOTLINE and dispute.division == city.county_a
    assert dispute.summary == case.title and dispute.place == case.address
    [party] = dispute.parties.all()
    assert party.name == "孙小梅" and party.phone == "13512345678"
    assert list(DisputeCase.objects.filter(dispute=dispute).values_list("case_id", "relation")) == [(case.pk, "origin")]
    again, created = dispute_from_case(actor=city.dispatcher, case_number=case.number, type="family", station=police.station_b)
    assert again.pk == dispute.pk and not created and Dispute.objects.count() == 1
    # the dispatcher who registered it sees it; station A works it
    assert Dispute.objects.visible_to(city.dispatcher).filter(pk=dispute.pk).exists()
    assert Dispute.objects.visible_to(police.officer_a).filter(pk=dispute.pk).exists()


def test_a_case_outside_the_actors_view_cannot_be_turned_into_a_dispute(city: Any, police: Any) -> None:
    case = new_case(city, division=city.county_a, requester_phone="13512345678")
    with pytest.raises(NotFound):  # station A's officer does not see a case led by nobody in his unit
        dispute_from_case(actor=police.officer_a, case_number=case.number, type="neighbour", station=police.station_a)
    with pytest.raises(PermissionDenied):
        dispute_from_case(actor=city.leader, case_number=case.number, type="neighbour", station=police.station_a)
    assert not Dispute.objects.exists()


def test_a_new_case_of_a_party_with_an_open_dispute_is_flagged(city: Any, police: Any,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    dispute = register(police.officer_a, police.station_a, city.county_a, phone="13900000001", place="西丰镇幸福小区3号楼")
    with django_capture_on_commit_callbacks(execute=True):
        by_phone = new_case(city, division=city.county_a, requester_phone="+86 139 0000 0001")
    by_place = new_case(city, division=city.county_a, requester_phone="13111111111", address="西丰镇 幸福小区 3号楼")
    unrelated = new_case(city, division=city.county_a, requester_phone="13122222222", address="西丰镇幸福小区")
    flagged = dict(DisputeCase.objects.filter(dispute=dispute).values_list("case_id", "reason"))
    assert flagged == {by_phone.pk: "party", by_place.pk: "place"}
    assert unrelated.pk not in flagged
    assert Notification.objects.filter(kind="dispute_case_flagged", recipient=police.officer_a,
                                       message__contains=by_phone.number).exists()
    # an ended dispute flags nothing
    from jingzhi.disputes.services import dispute_end

    dispute_end(actor=police.officer_a, dispute_id=dispute.pk, action="close", outcome="当事人搬离")
    later = new_case(city, division=city.county_a, requester_phone="13900000001")
    assert not DisputeCase.objects.filter(case=later).exists()


def test_linking_a_case_by_hand(city: Any, police: Any) -> None:
    dispute = register(police.officer_a, police.station_a, city.county_a)
    case = new_case(city, division=city.county_a)
    with pytest.raises(NotFound):  # the officer does not see that case
        dispute_link_case(actor=police.officer_a, dispute_id=dispute.pk, case_number=case.number)
    link = dispute_link_case(actor=city.admin, dispute_id=dispute.pk, case_number=case.number)
    assert link.relation == "linked"
    assert dispute_link_case(actor=city.admin, dispute_id=dispute.pk, case_number=case.number).pk == link.pk
