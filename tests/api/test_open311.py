"""Open311 GeoReport v2: discovery, services, definitions, POST and GET requests, tokens, updates, errors.

JSON output is validated against the published JSON Schemas; XML is parsed (defusedxml) and checked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.cases.models import Case
from tests.api.open311_schemas import assert_valid

BASE = "/open311/v2"


@pytest.fixture
def fms(city: Any, key_for: Any) -> str:
    """An integration key of the kind a FixMyStreet install would get: an intake operator."""
    return key_for(role="operator")


def submit(client: Client, key: str, category: Any, fmt: str = "json", **fields: Any) -> Any:
    data = {"api_key": key, "service_code": str(category.pk), "lat": "42.2906", "long": "123.8445",
            "description": "路灯坏了，晚上很黑。", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data)  # the test client form-encodes dicts


def xml(response: Any) -> Any:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def test_discovery_in_both_formats(city: Any) -> None:
    body = Client().get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert body["changeset"] and body["contact"] and body["key_service"]
    root = xml(Client().get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_services_are_the_public_leaves_with_their_groups(city: Any, taxonomy: Any) -> None:
    services = Client().get(f"{BASE}/services.json").json()
    assert_valid("services.json", services)
    assert {x["service_name"] for x in services} == {"冬季采暖", "环境卫生"}  # not groups, not the private leaf
    heating = next(x for x in services if x["service_name"] == "冬季采暖")
    assert heating["service_code"] == str(taxonomy["heating"].pk) and heating["group"] == "城市建设和市政管理"
    assert heating["metadata"] is True and heating["type"] == "realtime"
    root = xml(Client().get(f"{BASE}/services.xml"))
    assert [e.tag for e in root] == ["service", "service"]
    assert {e.findtext("service_name") for e in root} == {"冬季采暖", "环境卫生"}
    assert root.find("service/metadata").text == "true"
    assert [g.text for g in root.find("service/groups")] == ["城乡建设", "城市建设和市政管理"]


def test_service_definition_lists_attributes_with_values(city: Any, taxonomy: Any) -> None:
    code = taxonomy["heating"].pk
    definition = Client().get(f"{BASE}/services/{code}.json").json()
    assert_valid("service-definition.json", definition)
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert set(attributes) == {"kind", "division"}
    assert {v["key"] for v in attributes["division"]["values"]} == {"211200", "211223", "211282"}
    root = xml(Client().get(f"{BASE}/services/{code}.xml"))
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key") is not None
    for missing in ("999999", "abc", str(taxonomy["mid"].pk), str(taxonomy["private"].pk)):
        r = Client().get(f"{BASE}/services/{missing}.json")
        assert r.status_code == 404 and r.json()[0]["code"] == 404


def test_post_creates_a_case_through_intake_and_get_shows_it(city: Any, taxonomy: Any, fms: str) -> None:
    r = submit(Client(), fms, taxonomy["heating"], **{"attribute[division]": "211223", "attribute[kind]": "help",
                                                       "first_name": "三", "last_name": "张", "phone": "13812345678"})
    assert r.status_code == 201, r.content
    [created] = r.json()
    case = Case.objects.get(number=created["service_request_id"])
    assert (case.channel, case.kind, case.division.code, case.category) == ("open311", "help", "211223", taxonomy["heating"])
    assert case.created_by.username.startswith("apikey:") and float(case.lat) == pytest.approx(42.2906)
    token = Client().get(f"{BASE}/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": case.number, "token": created["token"]}]
    [one] = Client().get(f"{BASE}/requests/{case.number}.json").json()
    assert_valid("request.json", one)
    assert one["status"] == "open" and one["service_code"] == str(taxonomy["heating"].pk)
    assert one["address_id"] == "211223" and one["lat"] == pytest.approx(42.2906)
    root = xml(Client().get(f"{BASE}/requests/{case.number}.xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == case.number


def test_a_retried_post_with_the_same_client_id_returns_the_same_request(city: Any, taxonomy: Any, fms: str) -> None:
    first = submit(Client(), fms, taxonomy["heating"], **{"attribute[fixmystreet_id]": "4711"})
    again = submit(Client(), fms, taxonomy["heating"], **{"attribute[fixmystreet_id]": "4711"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert first.json()[0]["token"] == again.json()[0]["token"]
    assert Case.objects.count() == 1


def test_expected_datetime_is_the_reply_deadline_and_closed_requests_say_when(city: Any, taxonomy: Any, fms: str) -> None:
    number = submit(Client(), fms, taxonomy["heating"]).json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher)
    [open_] = Client().get(f"{BASE}/requests/{number}.json").json()
    assert open_["expected_datetime"] == timezone.localtime(case.reply_due).isoformat(timespec="seconds")
    assert open_["agency_responsible"] == "市住房和城乡建设局"
    case = s.case_acknowledge(case=case, actor=city.handler)
    case = s.case_reply(case=case, actor=city.handler, reply="已修复。")
    case = s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved", satisfaction="satisfied")
    case = s.case_close(case=case, actor=city.operator)
    [closed] = Client().get(f"{BASE}/requests/{number}.json").json()
    assert_valid("request.json", closed)
    assert closed["status"] == "closed" and closed["status_notes"] == "已修复。"
    assert closed["updated_datetime"] == timezone.localtime(case.closed_at).isoformat(timespec="seconds")


def test_get_requests_filters(city: Any, taxonomy: Any, fms: str) -> None:
    a = submit(Client(), fms, taxonomy["heating"]).json()[0]["service_request_id"]
    b = submit(Client(), fms, taxonomy["sanitation"]).json()[0]["service_request_id"]
    case_b = Case.objects.get(number=b)
    s.case_merge(case=case_b, into=Case.objects.get(number=a), actor=city.operator)
    c = Client()
    everything = c.get(f"{BASE}/requests.json").json()
    assert_valid("requests.json", everything)
    assert [r["service_request_id"] for r in everything] == [b, a]
    assert [r["service_request_id"] for r in c.get(f"{BASE}/requests.json", {"service_code": taxonomy["heating"].pk}).json()] == [a]
    assert [r["service_request_id"] for r in c.get(f"{BASE}/requests.json", {"status": "closed"}).json()] == [b]
    assert [r["service_request_id"] for r in c.get(f"{BASE}/requests.json", {"status": "open,closed"}).json()] == [b, a]
    assert [r["service_request_id"] for r in c.get(f"{BASE}/requests.json", {"service_request_id": f"{a},nope"}).json()] == [a]
    assert [r["service_request_id"] for r in c.get(f"{BASE}/requests.json", {"page_size": 1, "page": 2}).json()] == [a]
    now = timezone.now()
    window = {"start_date": (now - timedelta(days=1)).isoformat(), "end_date": (now + timedelta(hours=1)).isoformat()}
    assert len(c.get(f"{BASE}/requests.json", window).json()) == 2
    old = {"start_date": "2020-01-01T00:00:00+08:00", "end_date": "2020-02-01T00:00:00+08:00"}
    assert c.get(f"{BASE}/requests.json", old).json() == []
    later = {"updated_after": (now + timedelta(minutes=5)).isoformat()}
    assert c.get(f"{BASE}/requests.json", later).json() == []
    root = xml(c.get(f"{BASE}/requests.xml"))
    assert [e.findtext("status") for e in root] == ["closed", "open"]


def test_hotline_cases_stay_out_of_the_public_feed_unless_configured(city: Any, taxonomy: Any, settings: Any) -> None:
    from tests.factories import CaseFactory

    case = CaseFactory(actor=city.operator, category=taxonomy["heating"])
    assert Client().get(f"{BASE}/requests.json").json() == []
    assert Client().get(f"{BASE}/requests/{case.number}.json").status_code == 404
    settings.JINGZHI_API = {**settings.JINGZHI_API, "OPEN311_FEED_CHANNELS": ["open311", "hotline"]}
    assert [r["service_request_id"] for r in Client().get(f"{BASE}/requests.json").json()] == [case.number]


def test_servicerequestupdates_with_fixmystreet_extended_statuses(city: Any, taxonomy: Any, fms: str) -> None:
    number = submit(Client(), fms, taxonomy["heating"]).json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher)
    case = s.case_acknowledge(case=case, actor=city.handler)
    case = s.case_reply(case=case, actor=city.handler, reply="已更换路灯。")
    case = s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved", satisfaction="satisfied")
    s.case_close(case=case, actor=city.operator)
    plain = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert [u["status"] for u in plain] == ["open", "open", "open", "open", "closed"]
    extended = Client().get(f"{BASE}/servicerequestupdates.json", {"extensions": "true"}).json()
    assert [u["status"] for u in extended] == ["ACTION_SCHEDULED", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "FIXED"]
    assert extended[2]["description"] == "已更换路灯。" and extended[-1]["external_status_code"] == "closed"
    assert all(u["service_request_id"] == number and u["update_id"] for u in extended)
    root = xml(Client().get(f"{BASE}/servicerequestupdates.xml", {"extensions": "true"}))
    assert root.tag == "service_request_updates" and [e.findtext("status") for e in root][-1] == "FIXED"
    assert Client().get(f"{BASE}/servicerequestupdates.json", {"start_date": "2026-01-01", "end_date": "2026-06-01"}).status_code == 400


# Bad input: each gets the Open311 error body with the status the spec names.
@pytest.mark.parametrize(("fields", "status"), [
    ({"api_key": None}, 403),
    ({"api_key": "jz_00000000_wrong"}, 403),
    ({"service_code": None}, 400),
    ({"service_code": "999999"}, 404),
    ({"lat": "91", "long": "10"}, 400),
    ({"lat": "42", "long": "-181"}, 400),
    ({"lat": "abc", "long": "1"}, 400),
    ({"lat": "42", "long": None}, 400),
    ({"lat": None, "long": None}, 400),  # no location at all
    ({"address_id": "000000"}, 400),
    ({"attribute[kind]": "party"}, 400),
    ({"description": "长" * 4001}, 400),
    ({"description": "<script>alert(1)</script>"}, 400),
    ({"phone": "12"}, 400),
])
def test_bad_posts_get_open311_errors(city: Any, taxonomy: Any, fms: str, fields: dict[str, Any], status: int) -> None:
    for fmt in ("json", "xml"):
        r = submit(Client(), fms, taxonomy["heating"], fmt=fmt, **fields)
        assert r.status_code == status, r.content
        if fmt == "json":
            errors = r.json()
            assert isinstance(errors, list) and errors[0]["code"] == status and errors[0]["description"]
        else:
            root = xml(r)
            assert root.tag == "errors" and root.find("error/code").text == str(status)
    assert Case.objects.count() == 0


def test_a_post_must_be_form_encoded_and_small(city: Any, taxonomy: Any, fms: str) -> None:
    c = Client()
    as_json = c.post(f"{BASE}/requests.json", {"api_key": fms, "service_code": taxonomy["heating"].pk}, content_type="application/json")
    assert as_json.status_code == 400 and as_json.json()[0]["code"] == 415
    huge = submit(c, fms, taxonomy["heating"], description="长" * (5 * 1024 * 1024 // 3))
    assert huge.status_code == 413 and huge.json()[0]["code"] == 413
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("query", "status"), [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400),  # more than 90 days
    ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, 400),  # backwards
    ({"start_date": "yesterday"}, 400),
    ({"start_date": "2026-02-30"}, 400),
    ({"status": "pending"}, 400),
    ({"service_code": "999999"}, 404),
    ({"page_size": "0"}, 400),
    ({"page": "x"}, 400),
    ({"updated_after": "soon"}, 400),
])
def test_bad_queries_get_open311_errors(city: Any, taxonomy: Any, query: dict[str, str], status: int) -> None:
    r = Client().get(f"{BASE}/requests.json", query)
    assert r.status_code == status, r.content
    assert r.json()[0]["code"] == status


def test_unknown_resources_and_jurisdictions_are_404(city: Any, taxonomy: Any, settings: Any) -> None:
    c = Client()
    assert c.get(f"{BASE}/requests/TL20990101-000001.xml").status_code == 404
    assert c.get(f"{BASE}/tokens/nope.json").status_code == 404
    r = c.get(f"{BASE}/whatever.xml")
    assert r.status_code == 404 and xml(r).find("error/code").text == "404"
    settings.JINGZHI_API = {**settings.JINGZHI_API, "OPEN311_JURISDICTION": "tieling.gov.cn"}
    assert c.get(f"{BASE}/services.json", {"jurisdiction_id": "tieling.gov.cn"}).status_code == 200
    assert c.get(f"{BASE}/services.json", {"jurisdiction_id": "sfgov.org"}).status_code == 404
