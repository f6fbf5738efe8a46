"""The leader's map in a real browser: Tieling's seven counties drawn from the installed npm package, coloured by
cases per 10,000 residents, switchable to overdue cases and live hotspots, and a click on a county opens its cases.
Nothing is fetched from outside the site. Screenshot: test-artifacts/screenshots/dashboard-map.png."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.cases.sweep import sla_sweep
from jingzhi.metrics import rollup
from jingzhi.org import geodata
from jingzhi.org.division_import import division_tree_import
from jingzhi.org.models import Division
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-pass-123"
POPULATION = {"211202": 360412, "211204": 84693, "211221": 285580, "211223": 248424, "211224": 745262,
              "211281": 228556, "211282": 422319}
PLANT = [("丽发新城小区附近建搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重"),
         ("丽发新城小区附近的搅拌站噪音严重扰民", "搅拌站晚上施工噪音太大，灰尘很多"),
         ("举报丽发新城小区附近仍存在非法搅拌站", "搅拌站粉尘污染，噪音扰民")]


def _tieling(city: Any) -> None:
    """The real seven counties (the fixture has two of them), populations, and a month of cases in all of them."""
    division_tree_import(actor=None, city="2112", depth="county")
    for code, population in POPULATION.items():
        Division.objects.filter(code=code).update(population=population)
    rng = random.Random(7)
    now = timezone.now()
    counties = list(Division.objects.filter(level="county").order_by("code"))
    for i in range(70):
        county = rng.choices(counties, weights=[6, 3, 2, 5, 4, 2, 3])[0]
        at = now - timedelta(days=rng.uniform(0.5, 29))
        case = CaseFactory(actor=city.operator, received_at=at, division_code=county.code, title=f"路灯不亮 {i}",
                           content="小区门口的路灯坏了很久")
        if rng.random() < 0.4:  # dispatched long ago, never acknowledged: overdue by now
            s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=at + timedelta(minutes=10))
    for i, (title, content) in enumerate(PLANT):  # a live hotspot in 西丰县
        CaseFactory(actor=city.operator, division_code="211223", title=title, content=content,
                    requester_phone=f"1391234567{i}")
    sla_sweep()
    rollup.refresh()


def test_the_map_draws_the_counties_and_a_click_opens_the_countys_cases(city: Any, live_server: Any, browser: Any,
                                                                        screenshot_dir: Path) -> None:
    boundaries = geodata.boundaries_file("铁岭市")
    if boundaries is None or geodata.package_dir(geodata.DIVISION_PACKAGE) is None:
        pytest.fail("node_modules is missing: run `npm ci` in the checkout (scripts/test.sh does this)")
    centre = {f["properties"]["name"]: f["properties"]["cp"] for f in json.loads(boundaries.read_text())["features"]}
    _tieling(city)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/metrics/dashboard/")
    page.wait_for_selector("#area-map[data-ready='1'] [data-map-canvas] canvas")
    page.wait_for_timeout(1200)  # the map's animation
    rows = page.locator("#area-map table.data tbody tr")
    assert rows.count() == 7
    page.locator("#area-map").screenshot(path=str(screenshot_dir / "dashboard-map.png"))
    page.screenshot(path=str(screenshot_dir / "dashboard-with-map.png"), full_page=True)
    # The other figures recolour the same map.
    page.click("#area-map [data-map-buttons] button[data-key='hotspots']")
    assert page.get_attribute("#area-map [data-map-canvas]", "data-showing") == "hotspots"
    page.wait_for_timeout(800)
    page.locator("#area-map").screenshot(path=str(screenshot_dir / "dashboard-map-hotspots.png"))
    # A click on 西丰县 (at the centre the package gives it) opens its cases.
    x, y = page.evaluate(
        """async (cp) => {
             const box = document.getElementById("area-map");
             const echarts = await import(box.dataset.echarts);
             const chart = echarts.getInstanceByDom(box.querySelector("[data-map-canvas]"));
             return chart.convertToPixel({ seriesIndex: 0 }, cp);
           }""", centre["西丰县"])
    canvas = page.locator("#area-map [data-map-canvas]").bounding_box()
    page.mouse.click(canvas["x"] + x, canvas["y"] + y)
    page.wait_for_url("**/cases/?*division=211223*")
    assert "丽发新城" in page.content()
    assert not errors, errors
    assert not external, external  # offline: the boundaries, ECharts and the figures all come from the site
    context.close()
