"""The case list's requester search (issue 13): shown and working for the roles that may, refused for the others."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db


def test_requester_search_on_the_case_list(city: Any, client_for: Any) -> None:
    mine = new_case(city, division=city.county_a, requester_name="张三", requester_phone="13812345678")
    other = new_case(city, division=city.county_a, requester_name="李四", requester_phone="13900001111")
    page = client_for(city.operator).get("/cases/", {"requester": "138 1234 5678"})
    body = page.content.decode()
    assert page.status_code == 200 and 'name="requester"' in body
    assert mine.number in body and other.number not in body
    assert other.number in client_for(city.supervisor).get("/cases/", {"requester": "李四"}).content.decode()
    leader = client_for(city.leader)
    assert 'name="requester"' not in leader.get("/cases/").content.decode()  # no field for a leader
    refused = leader.get("/cases/", {"requester": "13812345678"})
    assert refused.status_code == 400 and mine.number not in refused.content.decode()
    export = leader.get("/cases/export.xlsx", {"requester": "13812345678"})
    assert export.status_code == 400 and b"may not search" in export.content
