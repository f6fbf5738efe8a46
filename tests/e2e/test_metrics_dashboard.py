"""The leader's dashboard in a real browser: the charts draw from the locally served ECharts (no network),
and the numbers are there. Screenshots: test-artifacts/screenshots/metrics-dashboard.png and metrics-bigscreen.png."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.metrics import rollup
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-pass-123"


def _month_of_cases(city: Any) -> None:
    """Sixty cases over the last 30 days in both counties, most of them handled and followed up."""
    rng = random.Random(5)
    now = timezone.now()
    units = [(city.housing, city.handler), (city.env, city.env_handler), (city.county_gov, city.county_handler)]
    channels = ["hotline", "hotline", "web", "app", "window"]
    kinds = ["complaint", "complaint", "help", "inquiry", "suggestion"]
    from jingzhi.taxonomy.models import Category

    categories = [Category.objects.create(name=name, level=1) for name in ("供暖", "物业管理", "市容环境", "道路交通", "不动产登记")]
    for i in range(60):
        at = now - timedelta(days=rng.uniform(0.2, 29.5))
        division = rng.choice([city.county_a, city.county_b, city.city])
        case = CaseFactory(actor=city.operator, received_at=at, division_code=division.code, channel=rng.choice(channels),
                           kind=rng.choice(kinds), title=f"小区供暖问题 {i}",
                           category=categories[min(int(rng.expovariate(0.7)), len(categories) - 1)])
        if rng.random() < 0.1:
            continue
        unit, handler = rng.choice(units)
        case = s.case_dispatch(case=case, unit=unit, actor=city.dispatcher, at=at + timedelta(minutes=20))
        if rng.random() < 0.15:
            continue
        step = min(timezone.now(), at + timedelta(hours=rng.uniform(1, 30)))
        case = s.case_acknowledge(case=case, actor=handler, at=step)
        if rng.random() < 0.2:
            continue
        step = min(timezone.now(), step + timedelta(hours=rng.uniform(1, 40)))
        case = s.case_reply(case=case, actor=handler, reply="已处理。", at=step)
        sat = rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"])
        s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved" if sat != "unsatisfied" else "unresolved",
                         satisfaction=sat, at=min(timezone.now(), step + timedelta(hours=2)))
    from jingzhi.cases.sweep import sla_sweep

    sla_sweep()  # overdue cases get supervised: the supervision list has rows
    rollup.refresh()


def test_leader_dashboard_draws_its_charts(city: Any, live_server: Any, browser: Any, screenshot_dir: Path) -> None:
    _month_of_cases(city)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{e}\n{e.stack}"))  # the stack says which script
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/metrics/dashboard/")
    for chart in ("chart-trend-channel", "chart-trend-kind", "chart-categories", "chart-divisions"):
        page.wait_for_selector(f"#{chart} canvas")
    page.wait_for_timeout(1200)  # let the chart animations finish before the picture
    assert not errors, errors
    assert not external, external  # offline: nothing fetched from anywhere but the site
    assert page.locator("#t-ranking tbody tr").count() >= 1
    page.screenshot(path=str(screenshot_dir / "metrics-dashboard.png"), full_page=True)
    page.goto(f"{live_server.url}/metrics/dashboard/?screen=big")
    page.wait_for_selector("#chart-divisions canvas")
    page.wait_for_timeout(1200)
    page.screenshot(path=str(screenshot_dir / "metrics-bigscreen.png"), full_page=True)
    for name, path in (("metrics-figures", "/metrics/"), ("metrics-rankings", "/metrics/rankings/"),
                       ("metrics-brief", "/metrics/brief/"), ("metrics-report", "/metrics/report/")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("table.data")
        page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
    assert not errors, errors
    context.close()
    unit_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = unit_context.new_page()
    page.set_default_timeout(60000)
    page.on("pageerror", lambda e: errors.append(f"{e}\n{e.stack}"))  # the stack says which script
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "unithead")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/metrics/unit/")
    page.wait_for_selector("#chart-trend-channel canvas")
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshot_dir / "metrics-unit.png"), full_page=True)
    assert not errors, errors
    unit_context.close()


def test_the_map_survives_a_slow_machine(city: Any, live_server: Any, browser: Any) -> None:
    """On a busy machine the map used to be laid out in a box of no size (or resized during a full-page capture) and
    ECharts threw "Cannot read properties of null (reading '0')". The page runs here on a CPU slowed 30 times."""
    _month_of_cases(city)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(120000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{e}\n{e.stack}"))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 30})
    page.goto(f"{live_server.url}/metrics/dashboard/")
    page.wait_for_selector("#chart-trend-channel canvas")
    page.screenshot(full_page=True)  # resizes the page while the map may still be drawing
    page.wait_for_selector("#area-map[data-ready='1']")
    page.screenshot(full_page=True)
    page.wait_for_timeout(500)
    assert not errors, errors
    context.close()
