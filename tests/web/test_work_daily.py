"""Issue 11 on the pages: the new case actions (assign, 督办, 批示, follow-up-and-close), bulk actions, the
print layout and sortable queues, each with its access matrix (anonymous, wrong role, other unit, other county)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingzhi.cases.models import Case, CaseEvent, Status, Supervision
from tests import factories as f
from tests.web.helpers import a_category, case_in, fresh, new_case

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<td class="nowrap mono"[^>]*><a href="/cases/([^/]+)/">')


def _post(client: Client, case: Case, action: str, **data: Any) -> Any:
    return client.post(reverse("web:case_action", args=[case.number, action]), {"version": fresh(case).version, **data})


def _data(action: str) -> dict[str, Any]:
    return {
        "assign": {"assignee": "", "note": "请跟进"},  # the assignee is filled in per test (a pk)
        "supervise": {"instruction": "两日内答复", "deadline": (timezone.localdate() + timedelta(days=2)).isoformat()},
        "instruct": {"instruction": "请抓紧办理"},
        "follow_up_close": {"resolution": "resolved", "satisfaction": "satisfied", "note": ""},
    }[action]


# action → (status the case is in, who may, wrong role, other unit or other county)
MATRIX = {
    "assign": ("handling", "unit_head", "handler", "env_head"),
    "supervise": ("handling", "supervisor", "handler", "county_supervisor"),
    "instruct": ("handling", "leader", "supervisor", "county_leader"),
    "follow_up_close": ("replied", "operator", "handler", "env_head"),
}


def _people(city: Any) -> dict[str, Any]:
    return {
        "unit_head": city.unit_head, "handler": city.handler, "supervisor": city.supervisor, "leader": city.leader,
        "operator": city.operator, "county_leader": city.county_leader,
        "env_head": f.user("unit_head", city.env, username="head_env"),
        "county_supervisor": f.user("supervisor", city.hotline, city.county_b, username="sup_ky"),
    }


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_each_new_action_answers_its_access_matrix(city: Any, client_for: Any, action: str) -> None:
    status, allowed, wrong_role, outsider = MATRIX[action]
    people = _people(city)
    case = case_in(city, status)
    data = _data(action)
    if action == "assign":
        data["assignee"] = city.handler.pk
    events = CaseEvent.objects.filter(case=case).count()

    anonymous = Client().post(reverse("web:case_action", args=[case.number, action]), data)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert _post(client_for(people[wrong_role]), case, action, **data).status_code == 403
    assert _post(client_for(people[outsider]), case, action, **data).status_code == 404
    assert CaseEvent.objects.filter(case=case).count() == events and fresh(case).version == case.version

    response = _post(client_for(people[allowed]), case, action, **data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CaseEvent.objects.filter(case=case).count() > events


def test_the_case_page_shows_instructions_assignee_and_duplicates(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    assert _post(client_for(city.leader), case, "instruct", instruction="请主要负责同志亲自督办").status_code == 302
    assert _post(client_for(city.supervisor), case, "supervise", **_data("supervise")).status_code == 302
    assert _post(client_for(city.unit_head), case, "assign", assignee=city.handler.pk).status_code == 302
    duplicate = new_case(city, title="同一问题的重复来电")
    assert _post(client_for(city.operator), duplicate, "merge", into=case.number).status_code == 302
    page = client_for(city.handler).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "请主要负责同志亲自督办" in page and "两日内答复" in page and str(city.handler) in page
    # The duplicate was never the unit's: the hotline centre sees it listed, the unit does not.
    assert duplicate.number not in page
    assert duplicate.number in client_for(city.operator).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert fresh(case).supervision == Supervision.SUPERVISED


def test_the_reply_form_requires_an_outcome(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    response = _post(client_for(city.handler), case, "reply", reply="已处理")
    assert response.status_code == 400 and "Choose what the reply amounts to." in response.content.decode()
    assert _post(client_for(city.handler), case, "reply", reply="已处理", outcome="explained").status_code == 302
    assert fresh(case).outcome == "explained"


def test_the_dispatch_form_requires_a_category_prefilled_and_searchable(city: Any, client_for: Any) -> None:
    case = new_case(city)
    client = client_for(city.dispatcher)
    page = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert 'name="category"' in page and "data-picker" in page and 'class="pick-list"' in page
    response = _post(client, case, "dispatch", unit=city.housing.code)
    assert response.status_code == 400 and "Choose the case&#x27;s category." in response.content.decode()
    assert fresh(case).status == Status.ACCEPTED
    assert _post(client, case, "dispatch", unit=city.housing.code, category=a_category().pk).status_code == 302
    assert fresh(case).category == a_category()


def test_follow_up_and_close_is_offered_only_when_the_rule_allows(city: Any, client_for: Any) -> None:
    from jingzhi.cases.sla import policy

    case = case_in(city, "replied")
    client = client_for(city.operator)
    assert 'id="action-follow_up_close"' in client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    row = policy()
    row.close_with_follow_up = False
    row.save()
    assert 'id="action-follow_up_close"' not in client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert _post(client, case, "follow_up_close", **_data("follow_up_close")).status_code == 409
    assert fresh(case).status == Status.REPLIED


def test_bulk_acknowledge_and_assign_from_the_unit_queue(city: Any, client_for: Any) -> None:
    cases = [case_in(city, "dispatched") for _ in range(3)]
    theirs = case_in(city, "dispatched", unit=city.env)
    head = client_for(city.unit_head)
    queue = head.get(reverse("web:unit_queue")).content.decode()
    assert 'form="bulk-cases"' in queue and reverse("web:bulk_action", args=["assign"]) in queue
    numbers = [c.number for c in cases[:2]] + [theirs.number]
    response = head.post(reverse("web:bulk_action", args=["acknowledge"]), {"cases": numbers, "next": "/queue/unit/"})
    assert response.status_code == 302 and response["Location"] == "/queue/unit/"
    assert [fresh(c).status for c in cases] == [Status.HANDLING, Status.HANDLING, Status.DISPATCHED]
    assert fresh(theirs).status == Status.DISPATCHED
    page = head.get("/queue/unit/").content.decode()
    assert theirs.number in page  # named in the message that it could not be done
    head.post(reverse("web:bulk_action", args=["assign"]), {"cases": [c.number for c in cases], "assignee": city.handler.pk})
    assert all(fresh(c).assignee == city.handler for c in cases)


def test_bulk_dispatch_with_a_category(city: Any, client_for: Any) -> None:
    cases = [new_case(city) for _ in range(2)]
    client = client_for(city.dispatcher)
    client.post(reverse("web:bulk_action", args=["dispatch"]),
                {"cases": [c.number for c in cases], "unit": city.housing.code, "category": a_category().pk})
    assert all(fresh(c).status == Status.DISPATCHED and fresh(c).category == a_category() for c in cases)


def test_bulk_access_matrix(city: Any, client_for: Any) -> None:
    case = case_in(city, "dispatched")
    url = reverse("web:bulk_action", args=["acknowledge"])
    anonymous = Client().post(url, {"cases": [case.number]})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(city.operator).post(url, {"cases": [case.number]}).status_code == 403  # wrong role
    client_for(city.env_handler).post(url, {"cases": [case.number]})  # other unit: refused per case
    client_for(city.county_handler).post(url, {"cases": [case.number]})  # other county
    assert fresh(case).status == Status.DISPATCHED
    assert client_for(city.handler).post(reverse("web:bulk_action", args=["close"]), {"cases": [case.number]}).status_code == 404


def test_the_print_layout(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling", requester_phone="13912345678")
    url = reverse("web:case_print", args=[case.number])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(city.env_handler).get(url).status_code == 404
    assert client_for(city.county_handler).get(url).status_code == 404
    page = client_for(city.handler).get(url).content.decode()
    assert 'class="work-order"' in page and case.number in page and "print.css" in page
    assert "13912345678" not in page  # masked as on the case page
    assert '<form' not in page.split('class="work-order"')[1]  # no action buttons on the sheet


def test_queues_sort_by_any_column_and_the_export_follows(city: Any, client_for: Any) -> None:
    cases = [case_in(city, "handling") for _ in range(3)]
    client = client_for(city.handler)
    page = client.get(reverse("web:unit_queue") + "?sort=-number").content.decode()
    assert ROW.findall(page) == sorted((c.number for c in cases), reverse=True)
    assert 'aria-sort="descending"' in page and "?sort=number" in page
    # An unknown column is the queue's own order, not an error.
    assert client.get(reverse("web:unit_queue") + "?sort=nonsense").status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    export = client.get(reverse("web:case_export") + "?list=unit&sort=-number")
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active  # type: ignore[attr-defined]
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert [n for n in numbers if n in {c.number for c in cases}] == sorted((c.number for c in cases), reverse=True)
