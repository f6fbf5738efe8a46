"""The leader's map: per county, cases per 10,000 residents, overdue cases and live hotspots, each linked to its
cases; scoped like the dashboard; the boundaries come from the installed npm package or the map says it is missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from jingzhi.metrics import rollup
from jingzhi.org import geodata
from jingzhi.org.models import Division
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db
URL = "/map/areas.json"
PLANT = [
    ("丽发新城小区附近建搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重"),
    ("丽发新城小区附近的搅拌站噪音严重扰民", "搅拌站晚上施工噪音太大，灰尘很多"),
    ("举报丽发新城小区附近仍存在非法搅拌站", "搅拌站粉尘污染，噪音扰民"),
]


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A node_modules with the boundary package's layout: its registry and one city's GeoJSON (two counties)."""
    package = tmp_path / "node_modules" / geodata.BOUNDARY_PACKAGE
    (package / "geojson" / "shape-with-internal-borders").mkdir(parents=True)
    (package / "package.json").write_text('{"version": "0.1.4"}')
    (package / "registry.json").write_text(json.dumps({
        "GEOJSON_FOLDER": "geojson", "PINYIN_MAP": {"铁岭": "tie3_ling2"},
        "GEOJSON_FILE_MAP": {"tie3_ling2": "shape-with-internal-borders/liao2_ning2_tie3_ling2"}}, ensure_ascii=False))
    square = [[[123.123456789, 42.1], [124.0, 42.1], [124.0, 43.0], [123.1, 42.1]]]
    features = [{"type": "Feature", "properties": {"name": n, "cp": [1, 2]}, "geometry": {"type": "Polygon", "coordinates": square}}
                for n in ("西丰县", "开原市")]
    (package / "geojson" / "shape-with-internal-borders" / "liao2_ning2_tie3_ling2.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("JINGZHI_NODE_MODULES", str(tmp_path / "node_modules"))
    return package


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def areas(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content[:300]
    return {a["name"]: a for a in response.json()["areas"]}


def test_each_county_gets_its_rate_per_10000_its_overdue_cases_and_live_hotspots(city: Any, boundaries: Path) -> None:
    Division.objects.filter(pk=city.county_a.pk).update(population=20000)
    for i, (title, content) in enumerate(PLANT):
        new_case(city, division=city.county_a, title=title, content=content, requester_phone=f"1381234567{i}")
    new_case(city, division=city.county_b, title="路灯不亮", content="小区门口路灯坏了一个月")
    rollup.refresh()
    data = client(city.leader).get(URL).json()
    assert data["city"] == "铁岭市" and data["boundaries"] == "/map/211200.geojson" and data["note"] == ""
    got = {a["name"]: a for a in data["areas"]}
    xf, ky = got["西丰县"], got["开原市"]
    assert (xf["received"], xf["per_10k"], xf["hotspots"], xf["drawn"]) == (3, 1.5, 1, True)
    assert (ky["received"], ky["per_10k"], ky["hotspots"]) == (1, None, 0)  # no population: no rate
    assert xf["overdue"] == ky["overdue"] == 0
    # Clicking an area opens exactly its cases.
    query = parse_qs(urlsplit(xf["url"]).query)
    assert query["division"] == ["211223"] and query["activity"] == ["received"]
    listed = client(city.leader).get(xf["url"]).content.decode()
    assert all(t in listed for t, _ in PLANT) and "路灯不亮" not in listed
    assert parse_qs(urlsplit(xf["overdue_url"]).query)["overdue"] == ["1"]


def test_a_county_leader_sees_figures_for_the_own_county_only(city: Any, boundaries: Path) -> None:
    new_case(city, division=city.county_a, title="路灯不亮", content="小区门口路灯坏了一个月")
    new_case(city, division=city.county_b, title="路面塌陷", content="开原市新城街道路面塌陷")
    rollup.refresh()
    got = areas(client(city.county_leader).get(URL))  # leader_ky: 开原市
    assert got["开原市"]["received"] == 1
    assert got["西丰县"]["received"] is None and got["西丰县"]["url"] == ""
    # The city leader narrowed to one county sees the same shape.
    narrowed = areas(client(city.leader).get(URL + "?division=211282"))
    assert narrowed["开原市"]["received"] == 1 and narrowed["西丰县"]["received"] is None


def test_the_boundaries_are_served_compact_from_the_package(city: Any, boundaries: Path) -> None:
    r = client(city.leader).get("/map/211200.geojson")
    assert r.status_code == 200 and r["Content-Type"] == "application/geo+json"
    geo = json.loads(r.content)
    assert [f["properties"]["name"] for f in geo["features"]] == ["西丰县", "开原市"]
    x, y = geo["features"][0]["properties"]["cp"]  # the label point: inside the triangle, not the package's [1, 2]
    assert 123.1 < x < 124.0 and 42.1 < y < 43.0 and y - 42.1 < (x - 123.1) / 0.9 * 0.9
    assert geo["features"][0]["geometry"]["coordinates"][0][0] == [123.1235, 42.1]
    assert client(city.leader).get("/map/211223.geojson").status_code == 404  # a county is not a city


def test_without_the_package_the_map_says_so_and_still_gives_the_figures(city: Any, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGZHI_NODE_MODULES", str(tmp_path / "nowhere"))
    data = client(city.leader).get(URL).json()
    assert data["boundaries"] is None and "npm ci" in data["note"]
    assert {a["name"] for a in data["areas"]} == {"西丰县", "开原市"}
    assert client(city.leader).get("/map/211200.geojson").status_code == 404
    page = client(city.leader).get("/metrics/dashboard/").content.decode()
    assert 'id="area-map"' in page and "area_map.js" in page


@pytest.mark.parametrize("path", [URL, "/map/211200.geojson"])
def test_who_may_see_the_map(city: Any, boundaries: Path, path: str) -> None:
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for user in (city.operator, city.handler, city.unit_head, city.county_handler):
        assert client(user).get(path).status_code == 403
    for user in (city.leader, city.supervisor, city.dispatcher, city.county_leader):
        assert client(user).get(path).status_code == 200


def test_a_division_outside_the_scope_or_nonsense_is_not_found(city: Any, boundaries: Path) -> None:
    assert client(city.county_leader).get(URL + "?division=211223").status_code == 404
    assert client(city.leader).get(URL + "?division=999999").status_code == 404
    assert client(city.leader).get(URL + "?division=" + "9" * 500).status_code == 404
