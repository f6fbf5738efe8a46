"""The OpenAPI schema, the offline docs page, and schemathesis against the schema (bounded: few examples, no 5xx)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from jingzhi.cases.models import Status
from jingzhi.wsgi import application
from tests.cases.helpers import case_in


def test_the_schema_is_openapi_3_and_lists_every_operation(db: None) -> None:
    r = Client().get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    expected = {"cases_list", "cases_create", "cases_retrieve", "cases_dispatch", "cases_acknowledge", "cases_return",
                "cases_extension", "cases_extension_approve", "cases_extension_reject", "cases_reply", "cases_follow_up",
                "cases_reopen", "cases_close", "cases_merge", "units_list", "divisions_list", "categories_list",
                "routing_dry_run",
                # policy matching (ADR 027)
                "policies_list", "policies_retrieve", "enterprise_matches_list", "grants_list", "grants_retrieve",
                "grants_decide", "grants_confirm_account", "grants_pay", "applications_list", "applications_create",
                "applications_retrieve", "applications_decide", "applications_pay",
                # supply and demand (ADR 029)
                "listings_list", "listings_create", "listing_suggestions"}
    assert expected <= operations
    create = schema["paths"]["/api/v1/cases/"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "409", "413", "415", "429"} <= set(create)
    assert "application/problem+json" in create["400"]["content"]


def test_the_docs_page_loads_its_assets_from_our_own_static_files(db: None) -> None:
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html  # no CDN
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        url = f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert url in html
        assert Client().get(url).status_code == 200


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(db: None) -> Any:
    # Like Django's test client: keep the test transaction's connection open across WSGI requests
    # (request_finished would close it, since the test's transaction is not in autocommit).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_key(city: Any, key_for: Any, monkeypatch: Any) -> str:
    from rest_framework.throttling import SimpleRateThrottle

    # Hundreds of calls in a few seconds: rate limits would answer most of them with 429 and test nothing.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "key": "100000/min"})
    return key_for(city.admin)


@pytest.fixture
def real_cases(city: Any) -> list[str]:
    """Cases in several states, so that generated calls reach the services instead of stopping at 404."""
    return [case_in(city, status).number for status in (Status.ACCEPTED, Status.HANDLING, Status.FOLLOWED_UP)]


@pytest.fixture
def real_campaigns(city: Any) -> dict[str, list[int]]:
    """A campaign with a figure, an indicator, a sub-item and a milestone, and a key project: real ids to act on."""
    from datetime import date

    from jingzhi.campaigns import services as svc

    campaign = svc.campaign_create(actor=city.admin, title="攻坚", lead_official=city.leader, lead_unit=city.county_gov,
                                   division=city.city, start=date(2026, 1, 1), deadline=date(2026, 12, 31))
    metric = svc.metric_define(campaign=campaign, actor=city.admin, key="n", label="数")
    indicator = svc.indicator_define(campaign=campaign, actor=city.admin, name="n", computation="sum", numerator=metric,
                                     target=10)
    svc.sub_item_upsert(campaign=campaign, actor=city.admin, name="小区", division=city.county_a,
                        responsible_unit=city.county_gov)
    milestone = svc.milestone_add(campaign=campaign, actor=city.admin, title="节点", due=date(2026, 6, 1))
    project = svc.campaign_create(actor=city.admin, kind="key_project", investor="某公司", title="项目",
                                  lead_official=city.leader, lead_unit=city.county_gov, division=city.county_a,
                                  start=date(2026, 1, 1), deadline=date(2027, 12, 31))
    return {"id": [campaign.pk, project.pk], "indicator_id": [indicator.pk], "milestone_id": [milestone.pk]}


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_schemathesis_no_server_errors_and_responses_match_the_schema(case: Any, admin_key: str, real_cases: list[str],
                                                                       real_campaigns: dict[str, list[int]]) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    if case.path_parameters and "number" in case.path_parameters:
        # Act on a real case (which one follows from the generated value, so runs are reproducible):
        # unknown numbers only ever reach the 404 that the contract tests already cover.
        generated = str(case.path_parameters["number"])
        case.path_parameters["number"] = real_cases[len(generated) % len(real_cases)]
    for name, ids in real_campaigns.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = ids[len(str(case.path_parameters[name])) % len(ids)]
    response = case.call(headers={"Authorization": f"Bearer {admin_key}"})
    case.validate_response(response, checks=(not_a_server_error, status_code_conformance, content_type_conformance,
                                              response_schema_conformance))
