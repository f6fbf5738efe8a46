"""Pages: the enterprise's door (publish, retry, bad input), staff entry, suggestions with reasons, introducing,
the outcome form, the board and the figures; and the access matrix of every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.supplydemand.models import Introduction, Listing
from jingzhi.supplydemand.services import introduction_make

pytestmark = pytest.mark.django_db(transaction=True)
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _form(**changes: Any) -> dict[str, Any]:
    data = {"kind": "need", "title": "汽车用橡胶密封圈", "description": "", "quantity": "5000", "unit": "piece",
            "wanted_by": (timezone.localdate() + timedelta(days=45)).isoformat(), "available_from": "", "place_code": "",
            "industry": "", "valid_until": "", "token": "t-1"}
    data.update(changes)
    return data


def test_the_enterprise_publishes_on_its_door_and_a_retry_makes_no_second(market: Any, client_for: Any) -> None:
    c = client_for(market.starch_user)
    assert c.get("/supply/door/").status_code == 200
    r = c.post("/supply/door/", _form())
    assert r.status_code == 302
    again = c.post("/supply/door/", _form())
    assert again.status_code == 302 and again["Location"] == r["Location"]
    listing = Listing.objects.get(enterprise=market.starch, kind="need")
    page = c.get(r["Location"], **ZH).content.decode()
    # Its suggestions, with the reasons in Chinese, and the counterpart's public part only.
    assert "丁腈橡胶O型密封圈" in page and "铁岭恒信橡胶制品有限公司" in page and "相同的词" in page
    assert "对接" in page and 'name="capability"' not in page  # no introduce form for an enterprise
    assert listing.created_by == market.starch_user


def test_bad_input_on_the_door_is_named_beside_its_field_and_nothing_is_saved(market: Any, client_for: Any) -> None:
    c = client_for(market.starch_user)
    r = c.post("/supply/door/", _form(quantity="很多", unit="barrel", wanted_by="2020-01-01", token="t-2"))
    assert r.status_code == 200
    text = r.content.decode()
    assert "Enter the quantity as a number." in text and "Choose a unit from the list." in text
    assert "The date is in the past." in text
    assert not Listing.objects.filter(enterprise=market.starch, kind="need").exists()
    r = c.post("/supply/door/", _form(kind="offer", token="t-3"))
    assert r.status_code == 200 and not Listing.objects.filter(enterprise=market.starch, kind="need").exists()


def test_the_office_enters_a_listing_introduces_and_records_the_contract(market: Any, client_for: Any, city: Any) -> None:
    c = client_for(city.operator)
    assert c.get("/supply/new/").status_code == 200
    r = c.post("/supply/new/", _form(enterprise=str(market.belts.pk), kind="capability", title="氟橡胶密封圈",
                                     quantity="40000", wanted_by="", token="o-1"))
    assert r.status_code == 302
    cap = Listing.objects.get(title="氟橡胶密封圈")
    assert cap.enterprise == market.belts and cap.created_by == city.operator
    assert c.post("/supply/new/", _form(enterprise="", token="o-2")).status_code == 200
    page = c.get(f"/supply/{market.need.pk}/").content.decode()
    assert "Matching words" in page and "Introduce (对接)" in page
    r = c.post("/supply/introduce/", {"need": market.need.pk, "capability": cap.pk, "note": "电话对接", "via": ""})
    intro = Introduction.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/supply/introductions/{intro.pk}/"
    assert c.post("/supply/introduce/", {"need": market.need.pk, "capability": cap.pk}).status_code == 302
    assert Introduction.objects.count() == 1
    assert c.post(r["Location"], {"action": "contact"}).status_code == 302
    bad = c.post(r["Location"], {"action": "sign", "value": "-1", "signed_on": ""})
    assert bad.status_code == 200 and "Enter the contract value" in bad.content.decode()
    ok = c.post(r["Location"], {"action": "sign", "value": "95", "signed_on": timezone.localdate().isoformat()})
    assert ok.status_code == 302 and Introduction.objects.get().status == "signed"
    board = c.get("/supply/introductions/?status=signed").content.decode()
    assert market.buyer.name in board and "95" in board
    figures = c.get("/supply/figures/", **ZH).content.decode()
    assert "开原市" in figures and "95.00" in figures
    # The parties see it; only the office records steps.
    party = client_for(market.buyer_user)
    assert party.get(r["Location"]).status_code == 200
    assert party.post(r["Location"], {"action": "fail", "reason": "x"}).status_code == 403


def test_closing_a_listing_from_its_page(market: Any, client_for: Any) -> None:
    c = client_for(market.seals_user)
    assert c.post(f"/supply/{market.seal_cap.pk}/close/", {"reason": "产能已满"}).status_code == 302
    assert Listing.objects.get(pk=market.seal_cap.pk).status == "closed"
    again = c.post(f"/supply/{market.seal_cap.pk}/close/", {"reason": ""}, follow=True)
    assert "closed already" in again.content.decode()


PAGES = ["/supply/", "/supply/new/", "/supply/door/", "/supply/introductions/", "/supply/figures/"]


def test_anonymous_users_are_sent_to_sign_in(market: Any) -> None:
    intro, _ = introduction_make(actor=market.city.operator, need=market.need, capability=market.seal_cap)
    for url in [*PAGES, f"/supply/{market.need.pk}/", f"/supply/introductions/{intro.pk}/"]:
        r = Client().get(url)
        assert r.status_code == 302 and "login" in r["Location"], url
    r = Client().post("/supply/introduce/", {"need": market.need.pk, "capability": market.seal_cap.pk})
    assert r.status_code == 302 and Introduction.objects.count() == 1


def test_the_access_matrix(market: Any, client_for: Any, city: Any) -> None:
    intro, _ = introduction_make(actor=city.operator, need=market.need, capability=market.seal_cap)
    detail, need, belt = f"/supply/introductions/{intro.pk}/", f"/supply/{market.need.pk}/", f"/supply/{market.belt_cap.pk}/"
    expect: dict[str, dict[str, int]] = {
        # the office sees everything
        "operator": {"/supply/": 200, "/supply/new/": 200, "/supply/door/": 403, need: 200, detail: 200, "/supply/figures/": 200},
        # another county: 开原市's leader sees 开原市's enterprises only, and may not enter listings
        "county_leader": {"/supply/": 200, "/supply/new/": 403, need: 404, belt: 200, detail: 404, "/supply/figures/": 200},
        # another unit: a handler who answers for no enterprise sees none
        "handler": {"/supply/": 200, "/supply/new/": 403, need: 404, belt: 404, detail: 404},
        # wrong role: the enterprise has its door, not the staff pages
        "buyer_user": {"/supply/": 403, "/supply/new/": 403, "/supply/door/": 200, "/supply/introductions/": 403,
                       "/supply/figures/": 403, need: 200, detail: 200, belt: 404},
        # another enterprise: neither the buyer's listing nor an introduction it is no party to
        "starch_user": {need: 404, detail: 404, f"/supply/{market.starch_cap.pk}/": 200},
    }
    users = {"operator": city.operator, "county_leader": city.county_leader, "handler": city.handler,
             "buyer_user": market.buyer_user, "starch_user": market.starch_user}
    for who, pages in expect.items():
        c = client_for(users[who])
        for url, status in pages.items():
            assert c.get(url).status_code == status, (who, url)
    listing_page = client_for(city.county_leader).get("/supply/").content.decode()
    assert market.belt_cap.title in listing_page and market.seal_cap.title not in listing_page
    # Writes: a leader or an enterprise may not introduce; another enterprise may not close.
    for user in (city.leader, market.buyer_user):
        r = client_for(user).post("/supply/introduce/", {"need": market.need.pk, "capability": market.belt_cap.pk})
        assert r.status_code == 403
    assert client_for(market.starch_user).post(f"/supply/{market.seal_cap.pk}/close/").status_code == 404
    assert client_for(city.leader).post(f"/supply/{market.seal_cap.pk}/close/").status_code == 403
    assert Introduction.objects.count() == 1 and Listing.objects.filter(status="open").count() == 4


def test_lists_cost_the_same_number_of_queries_whatever_their_length(market: Any, client_for: Any, city: Any) -> None:
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jingzhi.supplydemand.generate import bulk_publish, listing_rows

    introduction_make(actor=city.operator, need=market.need, capability=market.seal_cap)
    pages = {city.operator: ["/supply/", "/supply/introductions/", "/supply/figures/", f"/supply/{market.need.pk}/"],
             market.buyer_user: ["/supply/door/"]}

    def counts() -> dict[str, int]:
        out = {}
        for user, urls in pages.items():
            c = client_for(user)
            for url in urls:
                with CaptureQueriesContext(connection) as q:
                    assert c.get(url).status_code == 200
                out[url] = len(q)
        return out

    before = counts()
    rows = bulk_publish(listing_rows(random.Random(3), [market.buyer, market.belts], 40, today=timezone.localdate()))
    for cap in [r for r in rows if r.kind == "capability" and r.enterprise_id != market.buyer.pk][:5]:
        introduction_make(actor=city.operator, need=market.need, capability=cap)
    assert counts() == before
