"""The JSON behind the public cascading 区划 picker (issue 11 point 9)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/public/divisions.json"


def test_divisions_tree_below_the_city(client: Client, city: Any) -> None:
    township = f.division("211223001", "西丰镇", "township", city.county_a)
    f.division("211223001001", "城东社区", "community", township)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    rows = response.json()["divisions"]
    by_code = {r["code"]: r for r in rows}
    assert "211200" not in by_code  # the city itself is not a choice of the first level
    assert by_code["211223"] == {"code": "211223", "name": "西丰县", "level": "county", "parent": "211200"}
    assert by_code["211223001"]["parent"] == "211223" and by_code["211223001"]["level"] == "township"
    assert by_code["211223001001"] == {"code": "211223001001", "name": "城东社区", "level": "community",
                                       "parent": "211223001"}
    # Tree order: a township follows its county, a community its township.
    codes = [r["code"] for r in rows]
    assert codes.index("211223") < codes.index("211223001") < codes.index("211223001001")


def test_a_new_division_shows_at_once(client: Client, city: Any) -> None:
    assert "211282001" not in {r["code"] for r in client.get(URL).json()["divisions"]}
    f.division("211282001", "新城街道", "township", city.county_b)
    assert "211282001" in {r["code"] for r in client.get(URL).json()["divisions"]}


def test_signed_in_users_get_the_same_and_only_get_is_allowed(client: Client, city: Any) -> None:
    client.force_login(city.handler)
    assert client.get(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_submit_form_points_the_select_at_the_endpoint(client: Client, city: Any) -> None:
    page = client.get("/public/submit/").content.decode()
    assert f'data-cascade="{URL}"' in page and "jingzhi/cascade.js" in page
