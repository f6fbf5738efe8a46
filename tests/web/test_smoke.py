"""Every page renders for the roles that use it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.web.helpers import case_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("operator", "web:intake"),
        ("operator", "web:follow_up_queue"),
        ("dispatcher", "web:dispatch_queue"),
        ("handler", "web:unit_queue"),
        ("unit_head", "web:unit_queue"),
        ("supervisor", "web:supervision"),
        ("supervisor", "web:follow_up_queue"),
        ("leader", "web:case_list"),
        ("admin", "web:case_list"),
        ("admin", "web:notifications"),
    ],
)
def test_page_renders(city: Any, client_for: Any, role: str, url_name: str) -> None:
    for status in ("accepted", "dispatched", "handling", "replied"):
        case_in(city, status)
    response = client_for(getattr(city, role)).get(reverse(url_name))
    assert response.status_code == 200, response.content.decode()[:2000]


def test_case_page_renders(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    response = client_for(city.handler).get(reverse("web:case_detail", args=[case.number]))
    assert response.status_code == 200
    assert case.title in response.content.decode()
