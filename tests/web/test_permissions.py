"""Who may open which page and press which button: the permission matrix of the workbench."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.cases.models import CaseEvent, Status
from tests.web.helpers import a_category, case_in, fresh, new_case

pytestmark = pytest.mark.django_db

WORKBENCH_PAGES = [
    ("web:home", []),
    ("web:intake", []),
    ("web:intake_preview", []),
    ("web:dispatch_queue", []),
    ("web:unit_queue", []),
    ("web:follow_up_queue", []),
    ("web:supervision", []),
    ("web:case_list", []),
    ("web:case_export", []),
    ("web:notifications", []),
    ("web:password_change", []),
    ("web:otp_verify", []),
]


@pytest.mark.parametrize(("url_name", "args"), WORKBENCH_PAGES)
def test_anonymous_is_sent_to_login(db: None, url_name: str, args: list[str]) -> None:
    url = reverse(url_name, args=args)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert "next=" in response["Location"]


def test_anonymous_case_page_and_action_go_to_login(city: Any) -> None:
    case = new_case(city)
    client = Client()
    for url in (
        reverse("web:case_detail", args=[case.number]),
        reverse("web:case_action", args=[case.number, "dispatch"]),
        reverse("web:case_reveal", args=[case.number, "requester_phone"]),
    ):
        response = client.post(url) if "dispatch" in url or "reveal" in url else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert fresh(case).status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("operator", "web:intake"),
        ("dispatcher", "web:dispatch_queue"),
        ("handler", "web:unit_queue"),
        ("unit_head", "web:unit_queue"),
        ("supervisor", "web:supervision"),
        ("leader", "metrics:dashboard"),
        ("admin", "web:case_list"),
    ],
)
def test_home_sends_each_role_to_its_page(city: Any, client_for: Any, role: str, target: str) -> None:
    response = client_for(getattr(city, role)).get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("handler", "web:intake"),
        ("handler", "web:dispatch_queue"),
        ("operator", "web:unit_queue"),
        ("leader", "web:supervision"),
        ("dispatcher", "web:follow_up_queue"),
    ],
)
def test_pages_of_other_roles_are_forbidden(city: Any, client_for: Any, role: str, url_name: str) -> None:
    response = client_for(getattr(city, role)).get(reverse(url_name))
    assert response.status_code == 403
    assert "403" in response.content.decode()


def test_leader_of_another_county_gets_404(city: Any, client_for: Any) -> None:
    inside = new_case(city, division=city.county_b)
    outside = new_case(city, division=city.county_a)
    client = client_for(city.county_leader)
    assert client.get(reverse("web:case_detail", args=[inside.number])).status_code == 200
    response = client.get(reverse("web:case_detail", args=[outside.number]))
    assert response.status_code == 404
    assert outside.title not in response.content.decode()
    # The same answer as for a number that does not exist at all.
    assert client.get(reverse("web:case_detail", args=["TL19990101-000001"])).status_code == 404


def test_handler_of_another_unit_gets_404(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling", unit=city.housing)
    assert client_for(city.handler).get(reverse("web:case_detail", args=[case.number])).status_code == 200
    client = client_for(city.env_handler)
    assert client.get(reverse("web:case_detail", args=[case.number])).status_code == 404
    response = client.post(reverse("web:case_action", args=[case.number, "reply"]), {"version": case.version, "reply": "x"})
    assert response.status_code == 404
    assert fresh(case).status == Status.HANDLING


def test_wrong_role_posting_an_action_gets_403_and_nothing_changes(city: Any, client_for: Any) -> None:
    case = new_case(city)
    events_before = CaseEvent.objects.filter(case=case).count()
    response = client_for(city.operator).post(
        reverse("web:case_action", args=[case.number, "dispatch"]),
        {"version": case.version, "unit": city.housing.code, "category": a_category().pk},
    )
    assert response.status_code == 403
    assert "Your role or unit may not do this to this case." in response.content.decode()
    after = fresh(case)
    assert after.status == Status.ACCEPTED and after.lead_unit is None and after.version == case.version
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_permitted_action_redirects_and_the_change_is_visible(city: Any, client_for: Any) -> None:
    case = new_case(city)
    client = client_for(city.dispatcher)
    response = client.post(
        reverse("web:case_action", args=[case.number, "dispatch"]),
        {"version": case.version, "unit": city.housing.code, "assisting": [city.env.code], "note": "请尽快处理",
         "category": a_category().pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.number])
    after = fresh(case)
    assert after.status == Status.DISPATCHED and after.lead_unit == city.housing
    assert list(after.assisting_units.all()) == [city.env]
    page = client.get(response["Location"]).content.decode()
    assert city.housing.name in page
    assert "请尽快处理" in page  # the note is on the timeline
    # The unit now sees it, and may acknowledge it.
    handler_page = client_for(city.handler).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert reverse("web:case_action", args=[case.number, "acknowledge"]) in handler_page


def test_stale_version_gets_409_and_nothing_changes(city: Any, client_for: Any) -> None:
    case = case_in(city, "dispatched")
    stale_version = case.version - 1
    response = client_for(city.handler).post(
        reverse("web:case_action", args=[case.number, "acknowledge"]), {"version": stale_version}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert fresh(case).status == Status.DISPATCHED


def test_service_validation_error_is_shown_next_to_the_field(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    response = client_for(city.handler).post(
        reverse("web:case_action", args=[case.number, "return"]), {"version": case.version, "reason": "   "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_return_reason_error"' in html
    assert "Say why the case is not your unit" in html
    assert fresh(case).status == Status.HANDLING


def test_unknown_action_is_404(city: Any, client_for: Any) -> None:
    case = new_case(city)
    client = client_for(city.admin)
    assert client.post(reverse("web:case_action", args=[case.number, "explode"]), {"version": 1}).status_code == 404
    assert client.post(reverse("web:case_action", args=[case.number, "remind"]), {"version": 1}).status_code == 404


def test_actions_need_post(city: Any, client_for: Any) -> None:
    case = new_case(city)
    assert client_for(city.dispatcher).get(reverse("web:case_action", args=[case.number, "dispatch"])).status_code == 405
