"""Suggestion quality on planted listings: the rubber need finds the seal producer first, with its reasons."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.supplydemand import text
from jingzhi.supplydemand.generate import FAMILIES, bulk_publish, listing_rows
from jingzhi.supplydemand.models import Listing
from jingzhi.supplydemand.services import listing_close, listing_create
from jingzhi.supplydemand.suggest import suggestions_for

pytestmark = pytest.mark.django_db


def test_the_rubber_need_finds_the_seal_producer_first_and_the_starch_mill_low(market: Any) -> None:
    found = suggestions_for(market.need)
    ids = [s.listing.pk for s in found]
    assert ids[0] == market.seal_cap.pk
    first = found[0]
    assert "密封圈" in first.words or "密封" in first.words
    assert first.reasons["industry"] == "C" and first.reasons["place"] == "province"
    # 30,000 a month for two months covers the 50,000 wanted.
    assert first.parts["capacity"] == 1.0 and first.parts["timing"] == 1.0
    # The belt shares "橡胶" only; the starch mill shares nothing and has another unit.
    if market.belt_cap.pk in ids:
        assert ids.index(market.belt_cap.pk) > 0
        belt = found[ids.index(market.belt_cap.pk)]
        assert belt.score < first.score / 2 and belt.reasons["capacity"]["units_differ"]
    starch = [s for s in found if s.listing.pk == market.starch_cap.pk]
    assert not starch or starch[0].score < 15


def test_a_capability_finds_the_need_the_other_way_round(market: Any) -> None:
    found = suggestions_for(market.seal_cap)
    assert [s.listing.pk for s in found][:1] == [market.need.pk]
    assert suggestions_for(market.starch_cap) == []


def test_own_closed_and_expired_listings_are_never_suggested(market: Any) -> None:
    today = timezone.localdate()
    # The buyer's own capability with the same words is not suggested to its own need.
    own, _ = listing_create(actor=market.city.operator, enterprise=market.buyer, kind="capability",
                            fields={"title": "橡胶密封圈", "quantity": "100", "unit": "piece"})
    assert own.pk not in [s.listing.pk for s in suggestions_for(market.need)]
    listing_close(actor=market.seals_user, listing=market.seal_cap, reason="产能已满")
    assert market.seal_cap.pk not in [s.listing.pk for s in suggestions_for(market.need)]
    # Expired: open until yesterday, as seen from today.
    assert suggestions_for(market.need, today=today + timedelta(days=400)) == []


def test_industry_agreement_and_nearness_raise_the_score(market: Any, city: Any) -> None:
    near, _ = listing_create(actor=city.operator, enterprise=market.belts, kind="capability",
                             fields={"title": "丁腈橡胶O型密封圈", "description": "汽车、液压设备用O型密封圈和油封，月产能三万件。",
                                     "quantity": "30000", "unit": "piece", "industry": "C2913", "place_code": "211282"})
    need, _ = listing_create(actor=city.operator, enterprise=market.starch, kind="need",
                             fields={"title": "丁腈橡胶O型密封圈", "quantity": "1000", "unit": "piece", "industry": "C2913",
                                     "wanted_by": timezone.localdate() + timedelta(days=30), "place_code": "211282"})
    found = {s.listing.pk: s for s in suggestions_for(need)}
    # Same words, but the belt maker's listing shares the county and the industry class; the seal maker's does not.
    assert found[near.pk].reasons["place"] == "county" and found[near.pk].reasons["industry"] == "C2913"
    assert found[near.pk].score > found[market.seal_cap.pk].score


def test_among_generated_noise_the_top_suggestions_are_rubber_seals(market: Any, city: Any) -> None:
    rng = random.Random(7)
    others = [i for i, fam in enumerate(FAMILIES) if fam[0] != "橡胶密封圈"]
    bulk_publish(listing_rows(rng, [market.belts, market.starch], 400, today=timezone.localdate(), families=others))
    found = suggestions_for(market.need)
    assert found[0].listing.pk == market.seal_cap.pk
    assert Listing.objects.count() > 400
    seals = bulk_publish(listing_rows(rng, [market.belts], 40, today=timezone.localdate(),
                                      families=[next(i for i, f in enumerate(FAMILIES) if f[0] == "橡胶密封圈")]))
    caps = {s.pk for s in seals if s.kind == "capability"}
    top = suggestions_for(market.need)
    assert sum(s.listing.pk in caps or s.listing.pk == market.seal_cap.pk for s in top) >= 8


def test_terms_leave_out_the_words_of_every_listing() -> None:
    v = text.vector("长期采购优质橡胶密封圈", "我司需要批量供应")
    assert "橡胶" in v and "密封圈" in v
    assert not {"采购", "长期", "优质", "我司", "批量", "供应"} & set(v)
    assert abs(sum(w * w for w in v.values()) - 1.0) < 1e-9
