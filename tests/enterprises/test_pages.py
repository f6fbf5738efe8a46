"""Enterprise service pages: access matrix (anonymous, wrong role, other enterprise, out of scope), forms, exports."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from jingzhi.cases.models import Case
from jingzhi.enterprises.models import Need, NeedChannel, Visit
from jingzhi.enterprises.services.needs import need_submit
from jingzhi.org.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(firms: Any) -> Need:
    n, _ = need_submit(actor=firms.leni_user, enterprise=firms.leni, title="原料车进不来", content="高速口封闭",
                       channel=NeedChannel.PORTAL, contact_phone="13812345678")
    return n


def test_anonymous_is_sent_to_sign_in(client: Any, firms: Any, need: Need) -> None:
    for url in (reverse("enterprises:list"), reverse("enterprises:detail", args=[firms.leni.pk]), reverse("enterprises:door"),
                reverse("enterprises:board", args=[firms.task_force.pk]), reverse("enterprises:metrics"),
                reverse("enterprises:door_need", args=[need.case.number]), reverse("enterprises:export")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_enterprise_user_sees_only_own_enterprise(client_for: Any, firms: Any, need: Need) -> None:
    other = client_for(firms.other_user)
    assert other.get(reverse("enterprises:door_need", args=[need.case.number])).status_code == 404
    assert other.post(reverse("enterprises:door_need", args=[need.case.number]), {"rating": "satisfied"}).status_code == 404
    assert need.case.number not in other.get(reverse("enterprises:door")).content.decode()
    # The registry, the boards and the figures are the staff's, not the enterprises'.
    for url in (reverse("enterprises:list"), reverse("enterprises:detail", args=[firms.leni.pk]),
                reverse("enterprises:board", args=[firms.task_force.pk]), reverse("enterprises:metrics")):
        assert other.get(url).status_code == 403, url
    own = client_for(firms.leni_user)
    page = own.get(reverse("enterprises:door_need", args=[need.case.number]))
    assert page.status_code == 200 and "原料车进不来" in page.content.decode()
    # The case pages of the workbench apply the same rule: another enterprise's need does not exist.
    assert other.get(reverse("web:case_detail", args=[need.case.number])).status_code == 404


def test_door_submits_once_per_token(client_for: Any, firms: Any) -> None:
    c = client_for(firms.leni_user)
    data = {"title": "用工缺口", "content": "需要招聘200人", "contact_name": "王", "contact_phone": "13812345678", "token": "t1"}
    first = c.post(reverse("enterprises:door"), data)
    second = c.post(reverse("enterprises:door"), data)
    assert first.status_code == second.status_code == 302
    assert Need.objects.filter(enterprise=firms.leni).count() == 1


def test_door_bad_input_is_a_form_error(client_for: Any, firms: Any) -> None:
    c = client_for(firms.leni_user)
    r = c.post(reverse("enterprises:door"), {"title": "x", "content": "y", "contact_phone": "12", "token": "t2"})
    assert r.status_code == 200 and Case.objects.count() == 0


def test_staff_scope_for_the_registry(client_for: Any, firms: Any) -> None:
    assert client_for(firms.official).get(reverse("enterprises:detail", args=[firms.leni.pk])).status_code == 200
    assert client_for(firms.official).get(reverse("enterprises:detail", args=[firms.other.pk])).status_code == 404
    assert client_for(firms.city.env_handler).get(reverse("enterprises:detail", args=[firms.leni.pk])).status_code == 404
    # A county leader sees the enterprises of the county only.
    assert client_for(firms.city.county_leader).get(reverse("enterprises:detail", args=[firms.other.pk])).status_code == 200
    assert client_for(firms.city.county_leader).get(reverse("enterprises:detail", args=[firms.leni.pk])).status_code == 404
    assert client_for(firms.city.dispatcher).get(reverse("enterprises:list")).status_code == 200


def test_only_the_office_edits(client_for: Any, firms: Any) -> None:
    assert client_for(firms.city.leader).get(reverse("enterprises:edit", args=[firms.leni.pk])).status_code == 403
    c = client_for(firms.city.dispatcher)
    r = c.post(reverse("enterprises:new"), {"name": "新企业", "credit_code": firms.leni.credit_code, "division": firms.city.city.pk})
    assert r.status_code == 200 and firms.leni.name in r.content.decode()
    assert not Enterprise.objects.filter(name="新企业").exists()


def test_board_is_for_members_and_oversight(client_for: Any, firms: Any, need: Need) -> None:
    url = reverse("enterprises:board", args=[firms.task_force.pk])
    r = client_for(firms.member).get(url)
    assert r.status_code == 200 and firms.leni.name in r.content.decode()
    assert client_for(firms.city.env_handler).get(url).status_code == 404
    assert client_for(firms.city.leader).get(url).status_code == 200


def test_visit_form_records_once(client_for: Any, firms: Any) -> None:
    c = client_for(firms.member)
    data = {"visited_on": "2026-01-05", "asked": "用电增容", "promised": "", "token": "abc"}
    c.post(reverse("enterprises:visit", args=[firms.leni.pk]), data)
    c.post(reverse("enterprises:visit", args=[firms.leni.pk]), data)
    assert Visit.objects.count() == 1
    assert client_for(firms.member).post(reverse("enterprises:visit", args=[firms.other.pk]), data).status_code == 404


def test_import_with_one_bad_row_saves_nothing_and_lists_every_bad_row(client_for: Any, firms: Any) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "区划代码", "标签", "年度", "产值(万元)"])
    ws.append(["91211202791583627B", "铁岭风景文具有限公司", "211223", "规上、高新", "2025", "8000"])
    ws.append(["91211202791583627A", "坏代码公司", "211223", "", "", ""])
    ws.append(["91211202791583627B", "重复公司", "999999", "火箭", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.name = "e.xlsx"
    buf.seek(0)
    r = client_for(firms.city.dispatcher).post(reverse("enterprises:import"), {"file": buf})
    body = r.content.decode()
    assert r.status_code == 200 and not Enterprise.objects.filter(name="铁岭风景文具有限公司").exists()
    assert "<td>3</td>" in body and "<td>4</td>" in body and "<td>2</td>" not in body


def test_import_and_export_round_trip(client_for: Any, firms: Any) -> None:
    c = client_for(firms.city.dispatcher)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "区划代码", "规模", "标签", "年度", "产值(万元)", "税收(万元)"])
    ws.append(["91211202791583627B", "铁岭风景文具有限公司", "211223", "中型", "规上、高新", "2025", "8000", "400"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.name = "e.xlsx"
    buf.seek(0)
    c.post(reverse("enterprises:import"), {"file": buf})
    e = Enterprise.objects.get(name="铁岭风景文具有限公司")
    assert e.size == "medium" and set(e.tags.values_list("tag", flat=True)) == {"above_scale", "high_tech"}
    assert e.figures.get(year=2025).tax == 400
    out = openpyxl.load_workbook(io.BytesIO(c.get(reverse("enterprises:export")).content))
    names = [row[1] for row in out.active.iter_rows(min_row=2, values_only=True)]
    assert "铁岭风景文具有限公司" in names and firms.leni.name in names
    mine = openpyxl.load_workbook(io.BytesIO(client_for(firms.official).get(reverse("enterprises:export")).content))
    assert [row[1] for row in mine.active.iter_rows(min_row=2, values_only=True)] == [firms.leni.name]


def test_metrics_page_and_export(client_for: Any, firms: Any, need: Need) -> None:
    c = client_for(firms.city.leader)
    assert c.get(reverse("enterprises:metrics")).status_code == 200
    r = c.get(reverse("enterprises:metrics_export") + "?start=bad")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert client_for(firms.city.handler).get(reverse("enterprises:metrics")).status_code == 403


def test_home_sends_an_enterprise_user_to_the_door(client_for: Any, firms: Any) -> None:
    r = client_for(firms.leni_user).get(reverse("web:home"))
    assert r.status_code == 302 and r["Location"] == reverse("enterprises:door")


def test_task_force_members_see_and_work_the_needs_of_its_enterprises(client_for: Any, firms: Any, need: Need) -> None:
    """Issue 14: a 专班 member who is not the 包保 official sees the needs (cases) of the enterprises the 专班 serves;
    a colleague of the same unit outside the 专班, a leader of another county and anonymous callers do not."""
    from jingzhi.org.access import answers_for_enterprises
    from tests import factories as f

    number = need.case.number
    member = client_for(firms.member)
    for url in (reverse("enterprises:door_need", args=[number]), reverse("web:case_detail", args=[number])):
        page = member.get(url)
        assert page.status_code == 200 and "原料车进不来" in page.content.decode(), url
    assert Case.objects.visible_to(firms.member).filter(pk=need.case.pk).exists()
    assert number in member.get(reverse("enterprises:board", args=[firms.task_force.pk])).content.decode()
    # Not its other enterprises: the member serves 莱尼 only.
    assert set(Enterprise.objects.filter(pk__in=answers_for_enterprises(firms.member)).values_list("pk", flat=True)) == {
        firms.leni.pk}
    colleague = f.user("handler", firms.city.housing, username="same_unit_not_member")
    for user in (colleague, firms.city.county_leader, firms.city.env_handler):
        c = client_for(user)
        assert c.get(reverse("enterprises:door_need", args=[number])).status_code in (403, 404), user.username
        assert c.get(reverse("web:case_detail", args=[number])).status_code == 404, user.username
        assert not Case.objects.visible_to(user).filter(pk=need.case.pk).exists()
    from django.test import Client

    anonymous = Client().get(reverse("web:case_detail", args=[number]))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    # Leaving the 专班 ends it at once (the rule is read per request, no copy to keep in step).
    from jingzhi.enterprises.services.taskforces import task_force_save

    task_force_save(actor=None, task_force=firms.task_force, name=firms.task_force.name, park="", leader=firms.city.leader,
                    members=[], enterprises=[firms.leni])
    assert member.get(reverse("web:case_detail", args=[number])).status_code == 404
