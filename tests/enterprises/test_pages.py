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


def test_figures_and_contacts_forms_are_the_offices_only(client: Any, client_for: Any, firms: Any) -> None:
    """Access matrix of the two forms on the enterprise page: anonymous → sign in; the enterprise itself, its 包保
    official, a 专班 member, a leader → 403; nothing saved."""
    from jingzhi.org.models import EnterpriseContact, EnterpriseFigures

    figures = reverse("enterprises:figures", args=[firms.leni.pk])
    contacts = reverse("enterprises:contacts", args=[firms.leni.pk])
    fig = {"year": "2025", "output": "12000", "tax": "800", "rd_spend": "300", "employees": "1200"}
    person = {"name": "王经理", "phone": "13812345678", "position": "行政经理"}
    for url, data in ((figures, fig), (contacts, person)):
        anonymous = client.post(url, data)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
        for user in (firms.leni_user, firms.official, firms.member, firms.city.leader, firms.city.handler):
            assert client_for(user).post(url, data).status_code == 403, (url, user.username)
        assert client_for(firms.city.dispatcher).get(url).status_code == 405  # a form's target, not a page
    assert not EnterpriseFigures.objects.exists() and not EnterpriseContact.objects.exists()
    # The forms are offered to the office only.
    assert 'id="figures-form"' in client_for(firms.city.dispatcher).get(reverse("enterprises:detail", args=[firms.leni.pk])).content.decode()
    assert 'id="figures-form"' not in client_for(firms.official).get(reverse("enterprises:detail", args=[firms.leni.pk])).content.decode()


def test_the_office_enters_a_years_figures(client_for: Any, firms: Any) -> None:
    from jingzhi.core.models import AuditLog
    from jingzhi.org.models import EnterpriseFigures

    office = client_for(firms.city.dispatcher)
    url, page = reverse("enterprises:figures", args=[firms.leni.pk]), reverse("enterprises:detail", args=[firms.leni.pk])
    bad = office.post(url, {"year": "1800", "output": "很多", "tax": "-5"}, follow=True)
    text = bad.content.decode()
    assert "between 1949 and 2100" in text and "Output must be a number" in text and "Tax paid must be 0 or more" in text
    assert not EnterpriseFigures.objects.exists()
    ok = office.post(url, {"year": "2025", "output": "12,000.5", "tax": "800", "rd_spend": "", "employees": "1200"}, follow=True)
    assert "Figures of 2025 saved." in ok.content.decode()
    row = EnterpriseFigures.objects.get(enterprise=firms.leni, year=2025)
    assert str(row.output) == "12000.50" and row.rd_spend is None and row.employees == 1200
    assert "12000.50" in office.get(page).content.decode()
    office.post(url, {"year": "2025", "output": "13000", "tax": "800", "employees": "1200"})  # the year again: replaced
    assert EnterpriseFigures.objects.filter(enterprise=firms.leni).count() == 1
    assert str(EnterpriseFigures.objects.get(enterprise=firms.leni).output) == "13000.00"
    assert AuditLog.objects.filter(action="enterprise_figures_set", actor=firms.city.dispatcher).count() == 2
    # Another county's enterprise is open to the office (it serves the city), a missing one is 404.
    assert office.post(reverse("enterprises:figures", args=[99999]), {"year": "2025"}).status_code == 404


def test_the_office_adds_a_contact_person_masked_and_audited(client_for: Any, firms: Any) -> None:
    from jingzhi.core.models import AuditLog
    from jingzhi.org.models import EnterpriseContact

    office = client_for(firms.city.dispatcher)
    url, page = reverse("enterprises:contacts", args=[firms.leni.pk]), reverse("enterprises:detail", args=[firms.leni.pk])
    assert office.post(url, {"name": "", "phone": "12"}).status_code == 302
    bad = office.post(url, {"name": "王经理", "phone": "12345"}, follow=True)
    assert "Phone" in bad.content.decode() and not EnterpriseContact.objects.exists()
    data = {"name": "王经理", "phone": "13812345678", "position": "行政经理"}
    office.post(url, data)
    office.post(url, data)  # a retried submission: no second row
    contact = EnterpriseContact.objects.get(enterprise=firms.leni)
    assert contact.phone == "13812345678"
    text = office.get(page).content.decode()
    assert "13812345678" not in text and "王*" in text and "138****5678" in text
    log = AuditLog.objects.get(action="enterprise_contact_add")
    assert log.actor == firms.city.dispatcher and "13812345678" not in str(log.detail) and log.detail["name"] == "王**"


def test_the_forms_answer_in_chinese(client_for: Any, firms: Any) -> None:
    office = client_for(firms.city.dispatcher)
    office.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    r = office.post(reverse("enterprises:figures", args=[firms.leni.pk]), {"year": "1800", "output": "很多"}, follow=True)
    text = r.content.decode()
    assert "1949" in text and "Enter a year" not in text and "年" in text
    r = office.post(reverse("enterprises:contacts", args=[firms.leni.pk]), {"name": "", "phone": ""}, follow=True)
    assert "Enter the contact" not in r.content.decode()
