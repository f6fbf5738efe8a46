"""What one create costs the database, on every intake path (issue 12: ≤ 12 statements for a REST create).

Run as production runs: no test transaction around the request (so BEGIN and COMMIT are counted, as the server
sends them) and the database task queue (so the case-created hooks — suggestion, automatic dispatch, hotspots —
are queued in the create's transaction, not run on the request path). The reference data (time-limit rules,
calendar, divisions) is warm, as in a running process after its first request.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhi.cases.models import Case, Review
from tests.api.test_open311 import fms  # noqa: F401  (an Open311 client's key)
from tests.api.test_open311 import submit as open311_submit
from tests.api.test_rest_cases import NEW
from tests.web.conftest import client_for  # noqa: F401  (the page tests' signed-in clients)
from tests.web.test_intake import token_of, valid
from tests.web.test_public import submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _as_in_production(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JINGZHI_REFCACHE = True


def _statements(call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    return response, [q["sql"] for q in ctx.captured_queries]


def _queued_hooks(n: int) -> None:
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="jingzhi.cases.tasks.run_case_created_hooks").count() == n


def test_a_rest_create_costs_at_most_twelve_statements_and_queues_its_hooks(city: Any, api: Any) -> None:
    client = api(city.operator)

    def create(key: str) -> Any:
        return client.post("/api/v1/cases/", json.dumps(NEW), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    assert create("warm").status_code == 201  # the key's first use, the process's first read of the rules
    response, sql = _statements(lambda: create("measured"))
    assert response.status_code == 201 and response.json()["status"] == "accepted"
    assert len(sql) <= 12, "\n".join(sql)
    # The case number is taken by one upsert before the case's transaction, not under a lock held to its commit.
    numbering = [i for i, q in enumerate(sql) if "casenumbersequence" in q]
    assert len(numbering) == 1 and numbering[0] < next(i for i, q in enumerate(sql) if q.startswith("INSERT INTO \"cases_case\""))
    assert not any("dispatchsuggestion" in q or "hotspots_" in q for q in sql)  # the hooks left the request path
    # So did the requester's SMS with the case number (issue 11): the hooks task records and queues it, at no cost here.
    assert not any("core_outboundmessage" in q for q in sql)
    _queued_hooks(2)


def test_the_201_body_is_the_case_as_read_back_and_a_retry_gets_the_same(city: Any, api: Any) -> None:
    """The 201 body is built from the rows the create wrote (its one event included), not read back: it must say
    exactly what a read of the case says, and the retry with the same key (read back) the same again."""
    client = api(city.operator)

    def create() -> Any:
        return client.post("/api/v1/cases/", json.dumps(NEW), content_type="application/json", HTTP_IDEMPOTENCY_KEY="same")

    created = create()
    assert created.status_code == 201
    body = created.json()
    assert [e["action"] for e in body["timeline"]] == ["create"]
    assert body["timeline"][0]["unit"] == city.operator.unit.name and body["timeline"][0]["actor"]
    assert client.get(created["Location"]).json() == body
    retried = create()
    assert retried.status_code == 200 and retried.json() == body


def test_an_open311_create_costs_at_most_thirteen_statements(city: Any, taxonomy: Any, fms: str) -> None:  # noqa: F811
    assert open311_submit(Client(), fms, taxonomy["heating"]).status_code == 201
    response, sql = _statements(lambda: open311_submit(Client(), fms, taxonomy["heating"]))
    assert response.status_code == 201
    # The REST create's statements, plus the category, the division found from the place, and the request's token
    # (its own short transaction).
    assert len(sql) <= 13, "\n".join(sql)


def test_the_operator_form_create_costs_at_most_eleven_statements(city: Any, client_for: Any) -> None:  # noqa: F811
    operator = client_for(city.operator)
    url = reverse("web:intake")
    assert operator.post(url, valid(city, token_of(operator.get(url).content.decode()))).status_code == 302
    token = token_of(operator.get(url).content.decode())
    # Another call (the same text within minutes would be recognised as the same call resubmitted).
    response, sql = _statements(lambda: operator.post(url, valid(city, token, title="楼道灯又坏了")))
    assert response.status_code == 302 and Case.objects.count() == 2
    # Session and user instead of the API key; the form token is the idempotency key; the look for the same call
    # resubmitted from a form brought back by the browser's back button (one indexed query).
    assert len(sql) <= 11, "\n".join(sql)
    assert not any("core_outboundmessage" in q for q in sql)  # the SMS with the number is the hooks task's


def test_the_public_page_create_costs_at_most_twelve_statements(city: Any) -> None:
    client = Client()
    url = reverse("web:public_submit")
    assert client.post(url, submission(city, token_of(client.get(url).content.decode()))).status_code == 302
    token = token_of(client.get(url).content.decode())
    response, sql = _statements(lambda: client.post(url, submission(city, token, title="楼道灯又坏了")))
    assert response.status_code == 302 and Case.objects.count() == 2
    # Plus the screening for repeated text (held for review) and the session that carries the number to the next page.
    assert len(sql) <= 12, "\n".join(sql)


def test_queued_hooks_run_in_the_worker_and_a_held_case_queues_none(city: Any, api: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from jingzhi.cases.tasks import run_case_created_hooks

    client = api(city.operator)
    response = client.post("/api/v1/cases/", json.dumps(NEW), content_type="application/json")
    case = Case.objects.get(number=response.json()["number"])
    row = DBTaskResult.objects.get(task_path="jingzhi.cases.tasks.run_case_created_hooks")
    assert row.args_kwargs["args"] == [case.pk] or row.args_kwargs["kwargs"] == {"case_id": case.pk}
    # What the worker does with it: the hooks run (idempotent; here nothing to change without a trained model).
    assert run_case_created_hooks.call(case.pk) in (True, False)
    # ... and the requester is told the number (recorded in the worker, sent by its own queued task).
    from jingzhi.core.models import OutboundMessage

    assert OutboundMessage.objects.filter(kind="case_registered", related_ref=case.number).count() == 1
    assert DBTaskResult.objects.filter(task_path="jingzhi.core.tasks.deliver_outbound").count() == 1
    case.review = Review.HELD
    case.save(update_fields=["review"])
    assert run_case_created_hooks.call(case.pk) is False
