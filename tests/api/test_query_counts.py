"""Lists cost a fixed number of queries, however many rows they return (no N+1)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jingzhi.cases import services as s
from jingzhi.cases.models import Status
from tests.cases.helpers import case_in


def _queries(client: Client, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_list_does_not_grow_with_its_rows(city: Any, api: Any) -> None:
    client = api(city.dispatcher)
    case_in(city, Status.HANDLING)
    _queries(client, "/api/v1/cases/")  # the key's first use stamps last_used_at once
    few = _queries(client, "/api/v1/cases/")
    for status in (Status.HANDLING, Status.CLOSED, Status.MERGED, Status.DISPATCHED):
        case_in(city, status)
    assert _queries(client, "/api/v1/cases/") == few


def test_the_open311_request_list_does_not_grow_with_its_rows(city: Any, taxonomy: Any, key_for: Any) -> None:
    key = key_for(role="operator")
    c = Client()

    def submit() -> str:
        data = {"api_key": key, "service_code": taxonomy["heating"].pk, "address_string": "柴河街"}
        return c.post("/open311/v2/requests.json", data).json()[0]["service_request_id"]

    submit()
    few = _queries(c, "/open311/v2/requests.xml")
    from jingzhi.cases.models import Case

    for _ in range(3):
        s.case_dispatch(case=Case.objects.get(number=submit()), unit=city.housing, actor=city.dispatcher)
    assert _queries(c, "/open311/v2/requests.xml") == few
    assert _queries(c, "/open311/v2/servicerequestupdates.json", extensions="true") <= few + 1


def test_the_campaign_list_sub_items_and_reports_do_not_grow_with_their_rows(flagship: Any, city: Any, api: Any) -> None:
    from datetime import date

    from jingzhi.campaigns import services as cs

    client = api(city.leader)
    base = f"/api/v1/campaigns/{flagship.campaign.pk}"
    cs.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov, week=date(2022, 6, 6),
                     narrative="一", figures={flagship.a1.pk: {"resolved": 10}})
    _queries(client, "/api/v1/campaigns/")
    few = {url: _queries(client, url) for url in ("/api/v1/campaigns/", f"{base}/sub-items/", f"{base}/reports/")}
    for n in range(4):
        cs.campaign_create(actor=city.leader, title=f"攻坚{n}", lead_official=city.leader, lead_unit=city.housing,
                           division=city.city, start=date(2026, 1, 1), deadline=date(2026, 12, 31))
        cs.sub_item_upsert(campaign=flagship.campaign, actor=city.leader, name=f"小区{n}", division=city.county_a,
                           responsible_unit=city.county_gov, metrics={"blocked": 5})
        cs.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                         week=date(2022, 7, 4 + 7 * n), narrative="周报", figures={flagship.a1.pk: {"resolved": 11 + n}})
    assert {url: _queries(client, url) for url in few} == few
