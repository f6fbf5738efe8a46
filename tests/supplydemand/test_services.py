"""Services: validated listings, idempotent create, who may publish, introductions, their outcome, the figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog, Notification
from jingzhi.supplydemand.models import Introduction, Listing, ListingTerm, SupplyEvent
from jingzhi.supplydemand.selectors import figures
from jingzhi.supplydemand.services import (
    introduction_advance,
    introduction_make,
    listing_close,
    listing_create,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _need(**changes: Any) -> dict[str, Any]:
    fields = {"title": "汽车用橡胶密封圈", "quantity": "1000", "unit": "piece",
              "wanted_by": (timezone.localdate() + timedelta(days=30)).isoformat()}
    fields.update(changes)
    return fields


def test_a_listing_is_saved_with_its_place_industry_and_terms_and_a_retry_makes_no_second(market: Any) -> None:
    first, created = listing_create(actor=market.seals_user, enterprise=market.seals, kind="need", fields=_need(),
                                    idempotency_key="k1")
    again, created_again = listing_create(actor=market.seals_user, enterprise=market.seals, kind="need", fields=_need(),
                                          idempotency_key="k1")
    assert created and not created_again and again.pk == first.pk
    assert Listing.objects.filter(enterprise=market.seals, kind="need").count() == 1
    assert first.place_code == market.city.county_a.code and first.place_name == "西丰县" and first.industry == "C2913"
    assert first.valid_until == first.wanted_by
    terms = set(ListingTerm.objects.filter(listing=first).values_list("term", flat=True))
    assert {"橡胶", "密封圈", "#C291", "#C2913"} <= terms
    assert SupplyEvent.objects.filter(listing=first, action="publish").count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"quantity": "很多"}, "quantity"),
    ({"quantity": "-5"}, "quantity"),
    ({"quantity": "1e12"}, "quantity"),
    ({"quantity": "NaN"}, "quantity"),
    ({"unit": "barrel"}, "unit"),
    ({"place_code": "999999"}, "place_code"),
    ({"industry": "rubber"}, "industry"),
    ({"wanted_by": "2020-01-01"}, "wanted_by"),
    ({"wanted_by": "tomorrow"}, "wanted_by"),
    ({"wanted_by": ""}, "wanted_by"),
    ({"valid_until": "2099-01-01"}, "valid_until"),
])
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(market: Any, changes: dict[str, Any], field: str) -> None:
    before = Listing.objects.count()
    with pytest.raises(ValidationFailed) as e:
        listing_create(actor=market.seals_user, enterprise=market.seals, kind="need", fields=_need(**changes))
    assert field in e.value.fields
    assert Listing.objects.count() == before


def test_an_unknown_kind_is_refused(market: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        listing_create(actor=market.city.operator, enterprise=market.seals, kind="offer", fields=_need())
    assert "kind" in e.value.fields


def test_who_may_publish_for_an_enterprise(market: Any, city: Any) -> None:
    # Another enterprise's user does not see the enterprise at all.
    with pytest.raises(NotFound):
        listing_create(actor=market.starch_user, enterprise=market.seals, kind="need", fields=_need())
    # A leader sees it but is not the service office.
    with pytest.raises(PermissionDenied):
        listing_create(actor=city.leader, enterprise=market.seals, kind="need", fields=_need())
    # A handler without 包保 does not see it.
    with pytest.raises(NotFound):
        listing_create(actor=city.handler, enterprise=market.seals, kind="need", fields=_need())
    listing, created = listing_create(actor=city.dispatcher, enterprise=market.seals, kind="capability",
                                      fields={"title": "密封圈", "quantity": "10", "unit": "piece"})
    assert created and listing.created_by == city.dispatcher and listing.available_from == timezone.localdate()


def test_a_closed_listing_leaves_the_index_and_cannot_be_closed_twice(market: Any) -> None:
    with pytest.raises(NotFound):
        listing_close(actor=market.starch_user, listing=market.seal_cap)
    row = listing_close(actor=market.seals_user, listing=market.seal_cap, reason="订单已满")
    assert row.status == "closed" and not ListingTerm.objects.filter(listing=row).exists()
    with pytest.raises(InvalidTransition):
        listing_close(actor=market.city.operator, listing=market.seal_cap)


def test_the_office_introduces_both_sides_are_notified_and_a_repeat_returns_the_first(market: Any, city: Any) -> None:
    intro, created = introduction_make(actor=city.operator, need=market.need, capability=market.seal_cap, note="经橡胶院推荐")
    assert created and intro.status == "introduced" and intro.score > 50 and "密封圈" in intro.reasons["words"]
    again, created_again = introduction_make(actor=city.dispatcher, need=market.need, capability=market.seal_cap)
    assert not created_again and again.pk == intro.pk and Introduction.objects.count() == 1
    for user in (market.buyer_user, market.seals_user):
        note = Notification.objects.get(recipient=user, subject_type="introduction")
        assert note.subject_ref == str(intro.pk) and "铁岭恒信橡胶制品有限公司" in note.message
    assert not Notification.objects.filter(recipient=market.starch_user).exists()
    assert AuditLog.objects.filter(action="supply_introduce", object_id=str(intro.pk)).exists()


def test_introductions_are_for_the_office_between_a_need_and_a_capability_of_two_enterprises(market: Any, city: Any) -> None:
    with pytest.raises(PermissionDenied):
        introduction_make(actor=market.buyer_user, need=market.need, capability=market.seal_cap)
    with pytest.raises(PermissionDenied):
        introduction_make(actor=city.leader, need=market.need, capability=market.seal_cap)
    with pytest.raises(ValidationFailed):
        introduction_make(actor=city.operator, need=market.seal_cap, capability=market.need)
    own, _ = listing_create(actor=city.operator, enterprise=market.buyer, kind="capability",
                            fields={"title": "密封圈", "quantity": "10", "unit": "piece"})
    with pytest.raises(ValidationFailed):
        introduction_make(actor=city.operator, need=market.need, capability=own)
    listing_close(actor=city.operator, listing=market.belt_cap)
    with pytest.raises(InvalidTransition):
        introduction_make(actor=city.operator, need=market.need, capability=market.belt_cap)
    assert not Introduction.objects.exists()


def test_the_outcome_is_tracked_to_a_signed_contract(market: Any, city: Any) -> None:
    intro, _ = introduction_make(actor=city.operator, need=market.need, capability=market.seal_cap)
    with pytest.raises(InvalidTransition):
        introduction_advance(actor=city.operator, introduction=intro, action="negotiate")
    introduction_advance(actor=city.operator, introduction=intro, action="contact")
    introduction_advance(actor=city.operator, introduction=intro, action="negotiate")
    today = timezone.localdate()
    for value, day, field in (("", today, "value"), ("-3", today, "value"), ("三百", today, "value"),
                              ("120", "", "signed_on"), ("120", today + timedelta(days=2), "signed_on"),
                              ("120", today - timedelta(days=5), "signed_on")):
        with pytest.raises(ValidationFailed) as e:
            introduction_advance(actor=city.operator, introduction=intro, action="sign", value=value, signed_on=day)
        assert field in e.value.fields
    assert Introduction.objects.get(pk=intro.pk).status == "negotiating"
    row = introduction_advance(actor=city.operator, introduction=intro, action="sign", value="120.5", signed_on=today)
    assert row.status == "signed" and row.contract_value == Decimal("120.50") and row.contract_date == today
    with pytest.raises(InvalidTransition):
        introduction_advance(actor=city.operator, introduction=intro, action="fail", reason="x")
    assert list(SupplyEvent.objects.filter(introduction=intro).values_list("action", flat=True)) == [
        "introduce", "contact", "negotiate", "sign"]
    with pytest.raises(PermissionDenied):
        introduction_advance(actor=market.buyer_user, introduction=intro, action="contact")
    with pytest.raises(ValidationFailed):
        introduction_advance(actor=city.operator, introduction=intro, action="explode")


def test_not_concluded_needs_its_reason(market: Any, city: Any) -> None:
    intro, _ = introduction_make(actor=city.operator, need=market.need, capability=market.seal_cap)
    with pytest.raises(ValidationFailed) as e:
        introduction_advance(actor=city.operator, introduction=intro, action="fail", reason=" ")
    assert "reason" in e.value.fields
    row = introduction_advance(actor=city.operator, introduction=intro, action="fail", reason="价格未谈拢")
    assert row.status == "not_concluded" and row.outcome_reason == "价格未谈拢"


def test_figures_count_by_the_suppliers_county_within_the_users_scope(market: Any, city: Any) -> None:
    a, _ = introduction_make(actor=city.operator, need=market.need, capability=market.seal_cap)
    introduction_make(actor=city.operator, need=market.need, capability=market.belt_cap)
    introduction_advance(actor=city.operator, introduction=a, action="contact")
    introduction_advance(actor=city.operator, introduction=a, action="sign", value="80", signed_on=timezone.localdate())
    f = figures(city.operator)
    rows = {r.county: r for r in f.rows}
    assert rows["西丰县"].introductions == 1 and rows["西丰县"].signed == 1 and rows["西丰县"].value == Decimal("80")
    assert rows["开原市"].introductions == 1 and rows["开原市"].signed == 0
    assert f.total.introductions == 2 and f.total.value == Decimal("80")
    # The 开原市 leader sees only the introduction of a 开原市 enterprise.
    scoped = figures(city.county_leader)
    assert [r.county for r in scoped.rows] == ["开原市"] and scoped.total.introductions == 1
    assert figures(city.handler).total.introductions == 0
