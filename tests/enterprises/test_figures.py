"""Issue 14's figures, by value: needs answered in time, closed and satisfied per unit and per 专班; the enterprises
not visited in the last quarter (page and export); the cases' 三率 ranking restricted to enterprise needs."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.enterprises.figures import figures
from jingzhi.enterprises.models import NeedChannel
from jingzhi.enterprises.services.needs import need_submit
from jingzhi.enterprises.services.visits import visit_record
from jingzhi.metrics import engine, selectors
from jingzhi.metrics.periods import Period
from jingzhi.metrics.rollup import rebuild
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # a working week: 11-02 … 11-06
PERIOD = Period("custom", date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def worked(firms: Any) -> Any:
    """Two needs of 莱尼 (in the 专班) worked by 住建局 — one answered in time, one late — and one of the other
    enterprise left with 生态环境局; plus an ordinary complaint to 住建局 that the enterprise figures must not count."""
    c = firms.city

    def need(enterprise: Any, title: str) -> Any:
        n, _ = need_submit(actor=c.operator, enterprise=enterprise, title=title, content=title, channel=NeedChannel.DIRECT,
                           contact_phone="13812345678", received_at=MONDAY)
        return s.case_dispatch(case=n.case, unit=c.housing if enterprise == firms.leni else c.env, actor=c.dispatcher,
                               at=MONDAY + timedelta(minutes=10))

    k = s.case_acknowledge(case=need(firms.leni, "用电增容"), actor=c.handler, at=MONDAY + timedelta(minutes=30))
    k = s.case_reply(case=k, actor=c.handler, reply="已协调供电公司增容。", at=MONDAY + timedelta(days=1))
    k = s.case_follow_up(case=k, actor=c.operator, contacted=True, resolution="resolved", satisfaction="satisfied",
                         at=MONDAY + timedelta(days=1, hours=2))
    s.case_close(case=k, actor=c.operator, at=MONDAY + timedelta(days=1, hours=3))

    k = s.case_acknowledge(case=need(firms.leni, "用工缺口"), actor=c.handler, at=MONDAY + timedelta(minutes=40))
    k = s.case_reply(case=k, actor=c.handler, reply="已组织专场招聘。", at=MONDAY + timedelta(days=14))  # past the 5 days
    s.case_follow_up(case=k, actor=c.operator, contacted=True, resolution="partly", satisfaction="basically",
                     at=MONDAY + timedelta(days=14, hours=2))

    need(firms.other, "厂区道路破损")

    plain = f.CaseFactory(actor=c.operator, received_at=MONDAY, division_code=c.county_a.code)
    plain = s.case_dispatch(case=plain, unit=c.housing, actor=c.dispatcher, at=MONDAY + timedelta(minutes=5))
    plain = s.case_acknowledge(case=plain, actor=c.handler, at=MONDAY + timedelta(minutes=20))
    plain = s.case_reply(case=plain, actor=c.handler, reply="已处理。", at=MONDAY + timedelta(days=1))
    s.case_follow_up(case=plain, actor=c.operator, contacted=True, resolution="unresolved", satisfaction="unsatisfied",
                     at=MONDAY + timedelta(days=1, hours=1))
    return firms


def test_figures_per_unit_and_task_force(worked: Any) -> None:
    got = figures(worked.city.leader, start=PERIOD.start, end=PERIOD.end)
    units = {r.name: (r.total, r.in_time, r.closed, r.rated, r.satisfied) for r in got.units}
    assert units == {worked.city.housing.name: (2, 1, 1, 2, 2), worked.city.env.name: (1, 0, 0, 0, 0)}
    housing = got.units[0]
    assert (housing.in_time_rate, housing.closed_rate, housing.satisfied_rate) == (50.0, 50.0, 100.0)
    assert [(r.name, r.total, r.in_time) for r in got.task_forces] == [("银州经济开发区专班", 2, 1)]
    assert (got.total.total, got.total.in_time, got.total.closed) == (3, 1, 1)
    # A county leader counts only the needs of the county (the other enterprise's, in 开原市).
    county = figures(worked.city.county_leader, start=PERIOD.start, end=PERIOD.end)
    assert [(r.name, r.total) for r in county.units] == [(worked.city.env.name, 1)]


def test_not_visited_in_the_last_quarter_named_on_the_page_and_in_the_export(client_for: Any, worked: Any) -> None:
    today = timezone.localdate()
    visit_record(actor=worked.official, enterprise=worked.leni, visited_on=today - timedelta(days=3), met="张经理",
                 asked="用工", promised="")
    got = figures(worked.city.leader)
    assert (got.not_visited, got.enterprises) == (1, 2)
    assert [(e.name, e.credit_code, e.last_visit) for e in got.not_visited_list] == [
        (worked.other.name, worked.other.credit_code, None)]
    assert got.since == today - timedelta(days=91)

    c = client_for(worked.city.leader)
    page = c.get(reverse("enterprises:metrics")).content.decode()
    assert worked.other.credit_code in page and worked.leni.credit_code not in page
    assert f"{reverse('metrics:rankings')}?kind=enterprise" in page  # the leader may read the ranking
    response = c.get(reverse("enterprises:metrics_export"), HTTP_ACCEPT_LANGUAGE="zh-hans")  # a clerk's workbook
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["单位", "专班", "未走访企业"]
    sheet = book["未走访企业"]
    assert [c.value for c in sheet[1]] == ["企业", "统一社会信用代码", "区划", "最近走访"]
    assert sheet[1][0].font.bold and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D2"
    assert [c.value for c in sheet[2]] == [worked.other.name, worked.other.credit_code, worked.city.county_b.name, None]
    assert [c.value for c in book["单位"][2]][:4] == [worked.city.housing.name, 2, 1, 1]
    # The office's operator reads the figures but not the city's rankings: no link offered.
    operator_page = client_for(worked.city.operator).get(reverse("enterprises:metrics")).content.decode()
    assert "kind=enterprise" not in operator_page


def test_the_cases_ranking_restricted_to_enterprise_needs(worked: Any) -> None:
    pol = engine.policy()
    pol.min_volume = 2
    pol.save()
    scope = engine.scope_for(worked.city.leader)
    rows = selectors.kind_unit_ranking(scope, PERIOD, "enterprise")
    by_unit = {r.obj.code: r for r in rows}
    housing = by_unit[worked.city.housing.code]
    # Two follow-ups: both contacted; resolved + ½ partly; satisfied + 0.9 basically — the city's weights 0.1/0.5/0.4.
    assert housing.metrics.counts["followed_up"] == 2 and housing.metrics.counts["received"] == 2
    assert housing.rank == 1 and housing.metrics.composite == pytest.approx(100 * (0.1 * 1 + 0.5 * 0.75 + 0.4 * 0.95))
    env = by_unit[worked.city.env.code]
    assert env.rank is None and not env.ranked and env.metrics.counts["received"] == 1
    # The same rule as every unit's ranking: over all cases (the complaint included) 住建局 scores lower.
    rebuild(date(2026, 11, 1), date(2026, 11, 30))
    all_cases = {r.obj.code: r for r in selectors.unit_ranking(scope, PERIOD)}
    assert all_cases[worked.city.housing.code].metrics.counts["followed_up"] == 3
    assert all_cases[worked.city.housing.code].metrics.composite < housing.metrics.composite


def test_the_ranking_page_by_kind_and_its_access(client_for: Any, client: Any, worked: Any) -> None:
    url = reverse("metrics:rankings")
    query = "?kind=enterprise&period=custom&start=2026-11-01&end=2026-11-30"
    leader = client_for(worked.city.leader)
    page = leader.get(url + query)
    text = page.content.decode()
    assert page.status_code == 200 and "Enterprise need" in text and worked.city.housing.name in text
    sheet = leader.get(url + query + "&format=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxml")
    bad = leader.get(url + "?kind=nonsense")
    assert bad.status_code == 400 and "Unknown kind." in bad.content.decode()
    assert "未知的诉求类型" in leader.get(url + "?kind=nonsense", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert client.get(url + query).status_code == 302  # anonymous: to sign in
    assert client_for(worked.city.handler).get(url + query).status_code == 403  # wrong role
    # Another county's leader ranks only the units of the needs of that county.
    county = client_for(worked.city.county_leader).get(url + query).content.decode()
    assert worked.city.env.name in county and worked.city.housing.name not in county
