"""Hotspots in the product: kept by the case-created hook, seen by the cases' rule, acted on through services."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jingzhi.cases.models import Case, Channel, Status
from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.hotspots import services
from jingzhi.hotspots.grouping import Detector, Message, Settings
from jingzhi.hotspots.models import Hotspot, HotspotMember
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db

PLANT = [
    ("丽发新城小区附近建搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重"),
    ("丽发新城小区附近的搅拌站噪音严重扰民", "搅拌站晚上施工噪音太大，灰尘很多"),
    ("举报丽发新城小区附近仍存在非法搅拌站", "搅拌站粉尘污染，噪音扰民"),
]


def plant_cases(city: Any, division: Any, n: int = 3, phone: str = "1381234567") -> list[Case]:
    return [new_case(city, division=division, title=t, content=c, requester_phone=f"{phone}{i}")
            for i, (t, c) in enumerate(PLANT[:n])]


def hotspot_of(case: Case) -> Hotspot | None:
    m = HotspotMember.objects.filter(case=case).select_related("hotspot").first()
    return m.hotspot if m else None


def test_cases_about_one_problem_at_one_place_form_one_hotspot_per_county(city: Any) -> None:
    a = plant_cases(city, city.county_a)
    other_problem = new_case(city, division=city.county_a, title="丽发新城小区物业乱收停车费", content="物业违规收取停车费")
    b = plant_cases(city, city.county_b, 2, phone="1391234567")
    hot_a, hot_b = hotspot_of(a[0]), hotspot_of(b[0])
    assert hot_a is not None and hot_b is not None and hot_a != hot_b
    assert {m.case_id for m in hot_a.members.all()} == {c.pk for c in a}
    assert hot_a.size == 3 and hot_a.division == city.county_a and "丽发新城" in hot_a.place
    assert hot_a.summary in {t for t, _ in PLANT}
    assert hotspot_of(other_problem) is None and hot_b.size == 2


def test_the_hook_gives_the_library_batch_groups_and_is_idempotent(city: Any) -> None:
    cases = plant_cases(city, city.county_a)
    cases.append(new_case(city, division=city.county_a, title="丽发新城小区物业乱收停车费", content="物业违规收取停车费"))
    batch = Detector(Settings())
    batch.add_all(Message(id=str(c.pk), title=c.title, detail=c.content, at=c.created_at, district=city.county_a.code)
                  for c in cases)
    live = sorted(sorted(str(m.case_id) for m in h.members.all()) for h in Hotspot.objects.filter(merged_into=None))
    assert live == batch.groups()
    before = HotspotMember.objects.count()
    services.hotspot_case_added(cases[0])  # a retried intake runs the hook again
    assert HotspotMember.objects.count() == before


def test_visibility_follows_the_cases(city: Any) -> None:
    plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    assert Hotspot.objects.visible_to(city.leader).filter(pk=hot.pk).exists()  # the city's leader
    assert not Hotspot.objects.visible_to(city.county_leader).exists()  # the other county's leader
    assert not Hotspot.objects.visible_to(city.handler).exists()  # a unit that has none of its cases


@pytest.mark.parametrize("url", ["hotspots:list", "hotspots:detail"])
def test_access_matrix(city: Any, client_for: Any, client: Any, url: str) -> None:
    plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    target = reverse(url, args=[hot.pk] if url == "hotspots:detail" else [])
    assert client.get(target).status_code == 302  # anonymous → sign in
    assert client_for(city.handler).get(target).status_code == 403  # wrong role
    assert client_for(city.unit_head).get(target).status_code == 403
    ok = client_for(city.leader).get(target)
    assert ok.status_code == 200 and hot.summary in ok.content.decode()
    other = client_for(city.county_leader).get(target)  # another county
    if url == "hotspots:detail":
        assert other.status_code == 404
    else:
        assert other.status_code == 200 and hot.summary not in other.content.decode()


def test_dispatch_all_sends_every_waiting_case_to_one_unit(city: Any, client_for: Any) -> None:
    cases = plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    url = reverse("hotspots:dispatch_all", args=[hot.pk])
    assert client_for(city.handler).post(url, {"unit": city.env.pk}).status_code == 403
    assert client_for(city.county_leader).post(url, {"unit": city.env.pk}).status_code == 404
    assert {c.status for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {Status.ACCEPTED}
    response = client_for(city.dispatcher).post(url, {"unit": city.env.pk})
    assert response.status_code == 302
    fresh = Case.objects.filter(pk__in=[c.pk for c in cases])
    assert {c.status for c in fresh} == {Status.DISPATCHED} and {c.lead_unit_id for c in fresh} == {city.env.pk}
    with pytest.raises(Exception, match="no case waiting"):
        services.hotspot_dispatch_all(actor=city.dispatcher, hotspot_id=hot.pk, unit=city.env)


def test_proactive_case_is_opened_through_intake_and_not_counted_in_the_hotspot(city: Any) -> None:
    plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    case = services.hotspot_open_proactive(actor=city.dispatcher, hotspot_id=hot.pk, unit=city.env)
    assert case.channel == Channel.PROACTIVE and case.status == Status.DISPATCHED and case.lead_unit == city.env
    assert case.division == city.county_a and "丽发新城" in case.title
    assert hotspot_of(case) is None
    again = services.hotspot_open_proactive(actor=city.dispatcher, hotspot_id=hot.pk)
    assert again.pk == case.pk  # the same day's retry does not open a second case
    with pytest.raises(PermissionDenied):
        services.hotspot_open_proactive(actor=city.supervisor, hotspot_id=hot.pk)
    with pytest.raises(NotFound):
        services.hotspot_open_proactive(actor=city.county_leader, hotspot_id=hot.pk)


def test_hotspot_panels_on_dashboard_and_queue(city: Any, client_for: Any) -> None:
    plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    panel = client_for(city.dispatcher).get(reverse("hotspots:list") + "?panel=1")
    assert panel.status_code == 200 and hot.summary in panel.content.decode() and "hotspot-panel" in panel.content.decode()
    queue = client_for(city.dispatcher).get(reverse("web:dispatch_queue")).content.decode()
    assert reverse("hotspots:list") + "?panel=1" in queue
    dashboard = client_for(city.leader).get(reverse("metrics:dashboard")).content.decode()
    assert reverse("hotspots:list") + "?panel=1" in dashboard


def test_demo_hotspots_are_found_by_the_hook_and_one_is_acted_on(city: Any) -> None:
    from django.utils import timezone

    from jingzhi.hotspots.demo import CLUSTERS, load_hotspot_demo
    from tests import factories as f

    for code, _unit, _messages in CLUSTERS:
        township = f.division(code[:9], f"示范街道{code[-3:]}", "township", city.county_a)
        f.division(code, f"示范社区{code[-3:]}", "community", township)
    env = f.unit("STHJ", "市生态环境局", city.city)
    found = load_hotspot_demo(now=timezone.now(), operator=city.operator, dispatcher=city.dispatcher)
    assert [h.size for h in found] == [len(m) for _c, _u, m in CLUSTERS]
    acted = Case.objects.filter(hotspot_membership__hotspot=found[0])
    assert {c.lead_unit_id for c in acted} == {env.pk} and {c.status for c in acted} == {Status.DISPATCHED}
    assert Case.objects.filter(hotspot_membership__hotspot=found[1], status=Status.ACCEPTED).count() == found[1].size


def test_hotspot_list_query_count_does_not_grow_with_hotspots(city: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(city.leader)
    plant_cases(city, city.county_a, 2)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("hotspots:list")).status_code == 200
    plant_cases(city, city.county_b, 2, phone="1391234567")
    new_case(city, division=city.county_a, title="向阳家园小区开发商捆绑销售车位", content="买房必须同时购买车位")
    new_case(city, division=city.county_a, title="投诉向阳家园小区强制捆绑销售车位", content="购房被要求捆绑购买车位")
    assert Hotspot.objects.count() == 3
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("hotspots:list")).status_code == 200
    assert len(three.captured_queries) == len(one.captured_queries)
