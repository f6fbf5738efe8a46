"""Divisions to programmes in a browser: the programme office enters a county's figures, the programme page shows who
qualifies, who nearly qualifies and by how much; the city leader opens an application and the county leader records
it to the result; the coverage page shows the win.

Screenshots programme-detail.png and programme-coverage.png go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.matching.programmes.models import Effort
from tests.e2e.test_enterprise_door import _login
from tests.matching.programme_fixtures import make_prog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_flow(browser: Any, live_server: Any, screenshot_dir: Path, city: Any) -> None:
    prog = make_prog(city)
    office = _login(browser, live_server.url, city.env_handler)
    office.goto(f"{live_server.url}/programmes/divisions/{city.county_a.pk}/figures/")
    office.fill("input[name=forest_cover]", "130")  # impossible: refused, the figure named
    office.click("#figures-form button[type=submit]")
    office.wait_for_load_state()
    assert "超出范围" in office.content() or "out of range" in office.content()
    office.fill("input[name=forest_cover]", "52")
    office.fill("input[name=grain_output]", "47")
    office.click("#figures-form button[type=submit]")
    office.wait_for_load_state()
    office.goto(f"{live_server.url}/programmes/{prog.programme.pk}/")
    xifeng = office.locator("#division-211223 summary").inner_text()
    assert "差一项符合" in xifeng and "差 3" in xifeng
    assert "符合" in office.locator("#division-211282 summary").inner_text()
    office.screenshot(path=str(screenshot_dir / "programme-detail.png"), full_page=True)

    leader = _login(browser, live_server.url, city.leader)
    leader.goto(f"{live_server.url}/programmes/{prog.programme.pk}/apply/{city.county_b.pk}/")
    leader.fill("input[name=official]", city.county_leader.username)
    leader.fill("input[name=deadline]", "2099-06-30")
    leader.click("#effort-form button[type=submit]")
    leader.wait_for_load_state()
    effort = Effort.objects.get()
    county = _login(browser, live_server.url, city.county_leader)
    for stage, note, amount in (("submitted", "材料已报省厅", ""), ("won", "入选创建名单", "5000")):
        county.goto(f"{live_server.url}/programmes/efforts/{effort.pk}/")
        county.select_option("select[name=stage]", stage)
        county.fill("textarea[name=note]", note)
        county.fill("input[name=amount]", amount)
        county.click("#effort-step-form button[type=submit]")
        county.wait_for_load_state()
    assert Effort.objects.get().stage == "won"
    leader.goto(f"{live_server.url}/programmes/coverage/")
    assert "入选" in leader.locator("#coverage-grid").inner_text()
    leader.screenshot(path=str(screenshot_dir / "programme-coverage.png"), full_page=True)
