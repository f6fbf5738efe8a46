"""Third-party clients against a live server: the `georeport` package from PyPI reads, a plain HTTP client posts."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from jingzhi.cases.models import Case


@pytest.fixture
def live(live_server: Any, city: Any, taxonomy: Any, key_for: Any) -> dict[str, Any]:
    return {"root": f"{live_server.url}/open311/v2", "key": key_for(role="operator"), "taxonomy": taxonomy}


def post_form(live: dict[str, Any], **fields: str) -> requests.Response:
    """The spec's POST: application/x-www-form-urlencoded; charset=utf-8, api_key among the fields."""
    return requests.post(f"{live['root']}/requests.json", data={"api_key": live["key"], **fields}, timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_definitions_and_requests(live: dict[str, Any], fmt: str) -> None:
    heating = live["taxonomy"]["heating"]
    posted = post_form(live, service_code=str(heating.pk), address_string="银州区柴河街 1 号",
                       description="暖气不热", **{"attribute[kind]": "complaint"})
    assert posted.status_code == 201, posted.text
    assert posted.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    number = posted.json()[0]["service_request_id"]

    client = GeoReport(live["root"], output_format=fmt)
    services = client.get_service_list()
    assert {s["service_name"] for s in services} == {"冬季采暖", "环境卫生"}
    definition = client.get_service_definition(str(heating.pk))
    assert definition["service_code"] == str(heating.pk)
    requests_ = client.get_service_requests(service_code=str(heating.pk))
    # xmltodict gives a single element as a dict, several as a list: the client's own convention.
    requests_ = requests_ if isinstance(requests_, list) else [requests_]
    assert [r["service_request_id"] for r in requests_] == [number]
    one = client.get_service_request(number)
    one = one[0] if isinstance(one, list) else one
    assert one["status"] == "open" and one["address"] == "银州区柴河街 1 号"
    assert Case.objects.get(number=number).channel == "open311"


def test_a_plain_http_post_without_a_key_is_refused(live: dict[str, Any]) -> None:
    r = requests.post(f"{live['root']}/requests.xml", data={"service_code": str(live["taxonomy"]["heating"].pk),
                                                            "lat": "42.29", "long": "123.84"}, timeout=10)
    assert r.status_code == 403 and b"<errors><error><code>403</code>" in r.content
