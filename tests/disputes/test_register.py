"""The register's rules: who sees which dispute, the repeat-party flag, escalation, steps and the end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.disputes import keys
from jingzhi.disputes.models import Dispute, Match, Party, Risk, Status, Step
from jingzhi.disputes.services import (
    PartyInput,
    dispute_end,
    dispute_register,
    dispute_set_risk,
    dispute_step_add,
    visit_record,
)
from tests.disputes.conftest import register

pytestmark = pytest.mark.django_db(transaction=False)


def seen(user: Any) -> set[int]:
    return set(Dispute.objects.visible_to(user).values_list("pk", flat=True))


def test_each_station_sees_its_area_and_the_city_committee_sees_all(city: Any, police: Any) -> None:
    a = register(police.officer_a, police.station_a, city.county_a)
    b = register(police.officer_b, police.station_b, city.county_b, phone="13900000011", other="13900000012")
    # assigned by the city committee to station B though it lies in county A: B sees it, and so does A's area
    assigned = register(police.zfw_city, police.station_b, city.county_a, phone="13900000021", other="13900000022")
    assert seen(police.officer_a) == seen(police.chief_a) == {a.pk, assigned.pk}
    assert seen(police.officer_b) == {b.pk, assigned.pk}
    assert seen(police.zfw_city) == seen(city.admin) == seen(city.leader) == {a.pk, b.pk, assigned.pk}
    assert seen(police.zfw_a) == {a.pk, assigned.pk}
    assert seen(city.county_leader) == {b.pk}  # a county leader sees their county only
    assert seen(city.handler) == seen(city.dispatcher) == set()  # other units and the hotline centre: none
    from django.contrib.auth.models import AnonymousUser

    assert seen(AnonymousUser()) == set()


def test_a_station_works_only_its_disputes_and_others_get_not_found(city: Any, police: Any) -> None:
    a = register(police.officer_a, police.station_a, city.county_a)
    with pytest.raises(NotFound):
        dispute_step_add(actor=police.officer_b, dispute_id=a.pk, kind="visit", note="上门走访")
    with pytest.raises(PermissionDenied):  # the leader reads the register, does not work it
        dispute_step_add(actor=city.leader, dispute_id=a.pk, kind="visit", note="上门走访")
    assert not Step.objects.exists()
    with pytest.raises(PermissionDenied):  # station B may not register for station A
        register(police.officer_b, police.station_a, city.county_a, phone="13900000031", other="13900000032")
    with pytest.raises(PermissionDenied):
        register(city.leader, police.station_a, city.county_a, phone="13900000031", other="13900000032")
    assert Dispute.objects.count() == 1


def test_parties_are_kept_with_keyed_hashes_that_find_the_same_party_however_typed(city: Any, police: Any) -> None:
    d = register(police.officer_a, police.station_a, city.county_a, phone="139 0000 0001")
    party = Party.objects.filter(dispute=d).order_by("pk").first()
    assert party is not None and party.phone == "13900000001"
    assert party.phone_key == keys.phone_key("+86 １３９００００００01") != ""
    assert "13900000001" not in party.phone_key and len(party.phone_key) == 64
    assert keys.address_key("向阳小区") == "" and keys.address_key("向阳小区 3号楼 2单元") == keys.address_key("向阳小区3号楼2单元")


def test_repeat_party_is_flagged_and_counted(city: Any, police: Any, django_capture_on_commit_callbacks: Any) -> None:
    first = register(police.officer_a, police.station_a, city.county_a)
    other = register(police.officer_a, police.station_a, city.county_a, phone="13700000001", other="13700000002")
    assert first.repeat_count == 0 and not first.flagged
    with django_capture_on_commit_callbacks(execute=True):
        second = register(police.officer_a, police.station_a, city.county_a, phone="13900000001", other="13600000000")
    assert second.flagged and second.repeat_count == 1
    assert set(Match.objects.filter(dispute=second).values_list("earlier_id", "reason", "was_open")) == {(first.pk, "party", True)}
    # the station hears about it
    assert Notification.objects.filter(kind="dispute_flagged", recipient=police.chief_a, subject_ref=second.number).exists()
    dispute_end(actor=police.officer_a, dispute_id=second.pk, action="resolve", outcome="双方达成和解")
    dispute_end(actor=police.officer_a, dispute_id=first.pk, action="resolve", outcome="双方达成和解")
    third = register(police.officer_a, police.station_a, city.county_a, phone="13600000000", other="13900000001")
    assert third.repeat_count == 2 and not third.flagged  # both earlier ones have ended
    assert Dispute.objects.get(pk=other.pk).repeat_count == 0
    # registered within 90 days of their resolutions: both earlier disputes count as recurred
    assert Dispute.objects.filter(pk__in=[first.pk, second.pk], recurred_at__isnull=False).count() == 2


def test_id_number_matches_across_stations(city: Any, police: Any) -> None:
    ids = "21122319800101006X"
    a, _n = dispute_register(actor=police.officer_a, station=police.station_a, division=city.county_a, type="labour",
                             summary="欠薪", parties=[PartyInput(name="赵三", id_number=ids.lower())])
    b, _n = dispute_register(actor=police.officer_b, station=police.station_b, division=city.county_b, type="family",
                             summary="家庭纠纷", parties=[PartyInput(name="赵三", id_number=ids)])
    assert b.flagged and b.repeat_count == 1 and Match.objects.filter(dispute=b, earlier=a).exists()


def test_bad_input_is_refused_field_by_field_and_creates_nothing(city: Any, police: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        dispute_register(actor=police.officer_a, station=police.station_a, division=city.county_a, type="bogus",
                         summary=" ", risk=9, parties=[PartyInput(name="", phone="12345")])
    assert {"type", "summary", "risk"} <= set(e.value.fields)
    with pytest.raises(ValidationFailed) as e:
        dispute_register(actor=police.officer_a, station=police.station_a, division=city.county_a, type="family",
                         summary="家庭纠纷", parties=[PartyInput(name="", phone="12345", id_number="211223198001010011")])
    assert {"party_0_name", "party_0_phone", "party_0_id_number"} <= set(e.value.fields)
    assert not Dispute.objects.exists() and not Party.objects.exists()


def test_a_retried_registration_returns_the_first(city: Any, police: Any) -> None:
    one = register(police.officer_a, police.station_a, city.county_a, idempotency_key="k-1")
    two = register(police.officer_a, police.station_a, city.county_a, idempotency_key="k-1")
    assert one.pk == two.pk and Dispute.objects.count() == 1
    with pytest.raises(NotFound):  # a key is no way into someone else's dispute
        register(police.officer_b, police.station_b, city.county_b, idempotency_key="k-1")


def test_high_risk_is_escalated_to_the_chief_and_county_committee_with_a_deadline(
        city: Any, police: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        d = register(police.officer_a, police.station_a, city.county_a, risk=Risk.HIGH)
    assert d.escalated_at is not None and d.escalation_due == d.escalated_at + timedelta(hours=24)
    told = set(Notification.objects.filter(kind="dispute_escalated").values_list("recipient__username", flat=True))
    assert told == {"chief_a", "zfw_a"}
    low = register(police.officer_a, police.station_a, city.county_a, phone="13800000001", other="13800000002")
    assert low.escalation_due is None
    raised = dispute_set_risk(actor=police.officer_a, dispute_id=low.pk, risk=Risk.VIOLENT)
    assert raised.escalation_due is not None and raised.escalation_due - raised.escalated_at == timedelta(hours=2)
    dispute_step_add(actor=police.officer_a, dispute_id=low.pk, kind="mediation", note="组织双方调解")
    assert Dispute.objects.get(pk=low.pk).escalation_due is None
    assert Dispute.objects.get(pk=low.pk).events.filter(action="escalation_met").exists()


def test_resolution_counts_mediation_sessions_and_schedules_visits(city: Any, police: Any) -> None:
    d = register(police.officer_a, police.station_a, city.county_a)
    dispute_step_add(actor=police.officer_a, dispute_id=d.pk, kind="visit", note="上门了解情况")
    dispute_step_add(actor=police.chief_a, dispute_id=d.pk, kind="mediation", note="第一次调解")
    ended = dispute_end(actor=police.officer_a, dispute_id=d.pk, action="resolve", outcome="签订调解协议")
    assert ended.status == Status.RESOLVED and ended.sessions_to_resolve == 1
    today = timezone.localdate()
    assert [v.due for v in ended.visits.all()] == [today + timedelta(days=7), today + timedelta(days=30)]
    with pytest.raises(InvalidTransition):
        dispute_end(actor=police.officer_a, dispute_id=d.pk, action="close", outcome="again")
    with pytest.raises(InvalidTransition):
        dispute_step_add(actor=police.officer_a, dispute_id=d.pk, kind="visit", note="x")
    visit = ended.visits.first()
    assert visit is not None
    visit_record(actor=police.officer_a, dispute_id=d.pk, visit_id=visit.pk, note="双方相安无事", stable=True)
    with pytest.raises(InvalidTransition):
        visit_record(actor=police.officer_a, dispute_id=d.pk, visit_id=visit.pk, note="again", stable=True)


def test_rekey_after_a_new_secret_key_finds_the_same_party_again(city: Any, police: Any, settings: Any) -> None:
    from django.core.management import call_command

    from jingzhi.core.models import AuditLog

    d = register(police.officer_a, police.station_a, city.county_a, phone="13900000001", place="西丰镇幸福小区3号楼")
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789abcdef"
    from jingzhi.disputes.services.linking import open_disputes_of

    assert open_disputes_of(phone="13900000001") == []  # the old keys do not match new input
    call_command("dispute_rekey", stdout=__import__("io").StringIO())
    assert [x.pk for x, _why in open_disputes_of(phone="13900000001")] == [d.pk]
    assert [x.pk for x, _why in open_disputes_of(address="西丰镇幸福小区3号楼")] == [d.pk]
    assert AuditLog.objects.filter(action="dispute_rekey").count() == 1
