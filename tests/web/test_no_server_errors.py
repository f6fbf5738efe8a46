"""Issue 10 #14: inputs that used to give a 500 get a 400 with a clear message (a problem document in the API);
then a fuzz test: whatever the case-list filters and report dates say, the answer is never a 5xx."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import _api_defaults, api, key_for  # noqa: F401 — API keys, and a fresh throttle budget
from tests.campaigns.conftest import flagship  # noqa: F401 — the campaign fixture, for its import page
from tests.factories import CaseFactory
from tests.org.files import missing_shared_string_xlsx

pytestmark = pytest.mark.django_db

IMPORT_PAGES = ["admin:cases_case_import", "admin:core_calendarday_import", "admin:taxonomy_category_import",
                "admin:org_division_import", "admin:org_unit_import", "admin:org_user_import"]


def _client(user: Any, **extra: Any) -> Client:
    c = Client(**extra)
    c.force_login(user)
    return c


@pytest.mark.parametrize("name", IMPORT_PAGES)
def test_a_workbook_with_a_missing_shared_string_is_a_400_on_every_admin_import_page(city: Any, name: str) -> None:
    r = _client(city.admin).post(reverse(name), {"file": missing_shared_string_xlsx()})
    assert r.status_code == 400
    assert "damaged" in r.content.decode()


def test_a_workbook_with_a_missing_shared_string_is_a_400_on_the_sub_item_import(city: Any, flagship: Any) -> None:  # noqa: F811
    r = _client(city.leader).post(f"/campaigns/{flagship.campaign.pk}/sub-items/import/", {"file": missing_shared_string_xlsx()})
    assert r.status_code == 400
    assert "damaged" in r.content.decode()


@pytest.mark.parametrize(("query", "words"), [
    ({"page": "9223372036854775807"}, "There is no page"),
    ({"category": "99999999999999999999999"}, "Unknown category"),
    ({"category": "²"}, "Unknown category"),
    ({"date_from": "0001-01-01"}, "between 1900-01-01 and 2999-12-31"),
    ({"date_to": "9999-12-31"}, "between 1900-01-01 and 2999-12-31"),
    ({"date_from": "0001-01-01T00:00:00"}, "between 1900-01-01 and 2999-12-31"),
    ({"supervision_min": "99999999999999999999999"}, "Unknown supervision level"),
])
def test_case_list_export_and_api_refuse_out_of_range_filters(
    city: Any, api: Any, query: dict[str, str], words: str,  # noqa: F811
) -> None:
    CaseFactory(actor=city.operator)
    web = _client(city.admin)
    page = web.get("/cases/?" + urlencode(query))
    assert page.status_code == 400 and words in page.content.decode()
    if "page" not in query:
        export = web.get("/cases/export.xlsx?list=all&" + urlencode(query))
        assert export.status_code == 400 and words in export.content.decode()
        listing = api(city.admin).get("/api/v1/cases/?" + urlencode(query))
        assert listing.status_code == 400 and listing["Content-Type"] == "application/problem+json"
        assert words in json.dumps(listing.json(), ensure_ascii=False)


@pytest.mark.parametrize(("path", "words"), [
    ("/metrics/brief/?date=0001-01-01", "between 1900-01-01 and 2999-12-31"),
    ("/metrics/report/?month=9999-12", "between 1900-01-01 and 2999-12-31"),
    ("/metrics/?period=month&date=9999-12-31", "between 1900-01-01 and 2999-12-31"),
    ("/metrics/?period=custom&start=0001-01-01&end=0001-01-02", "between 1900-01-01 and 2999-12-31"),
])
def test_report_dates_out_of_range_are_a_400(city: Any, path: str, words: str) -> None:
    r = _client(city.leader).get(path)
    assert r.status_code == 400 and words in r.content.decode()


def test_json_nested_100000_deep_is_a_400_problem(city: Any, api: Any) -> None:  # noqa: F811
    body = "[" * 100_000 + "]" * 100_000
    r = api(city.operator).post("/api/v1/cases/", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    assert "nested" in r.json()["detail"]


def test_a_nul_in_a_query_is_a_400(city: Any, api: Any) -> None:  # noqa: F811
    assert _client(city.admin).get("/cases/", {"text": "a\x00b"}).status_code == 400
    r = api(city.admin).get("/api/v1/cases/", {"number": "\x00"})
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"


# ------------------------------------------------------------------------------------------------------ fuzz

_values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["", "none", "open", "0001-01-01", "9999-12-31", "9999-12", "0000-00", "2026-02-30", "1e309", "NaN",
                     "-1", "²", "١٢", "9223372036854775808", "\x00", "%00", "'; drop table x;--", "2026-11-02T12:00:00+99:00"]),
)
_FILTERS = ["number", "text", "status", "kind", "unit", "division", "date_from", "date_to", "overdue", "supervision_min",
            "category", "activity", "page", "list", "cursor", "page_size"]
_queries = st.dictionaries(st.sampled_from(_FILTERS), _values, max_size=6)
_report_queries = st.dictionaries(st.sampled_from(["period", "date", "start", "end", "month", "division", "unit", "table",
                                                   "format"]), _values, max_size=5)
_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def fuzz_clients(city: Any, api: Any) -> tuple[Client, Client, Client]:  # noqa: F811
    CaseFactory(actor=city.operator)
    return _client(city.admin), api(city.admin), _client(city.leader)


@_FUZZ
@given(query=_queries)
def test_fuzz_case_list_export_and_api_never_5xx(fuzz_clients: tuple[Client, Client, Client], query: dict[str, str]) -> None:
    web, api_client, _leader = fuzz_clients
    for path in ("/cases/", "/cases/export.xlsx", "/api/v1/cases/"):
        r = (api_client if path.startswith("/api/") else web).get(path, query)
        assert r.status_code < 500, (path, query)


@_FUZZ
@given(query=_report_queries)
def test_fuzz_metric_dates_never_5xx(fuzz_clients: tuple[Client, Client, Client], query: dict[str, str]) -> None:
    _web, _api, leader = fuzz_clients
    for path in ("/metrics/", "/metrics/brief/", "/metrics/report/", "/metrics/rankings/"):
        r = leader.get(path, query)
        assert r.status_code < 500, (path, query)
