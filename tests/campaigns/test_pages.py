"""The campaign pages over HTTP: who sees what (out of scope = 404), forms that call the services, exports."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import Campaign, CampaignCase, ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def live(flagship: Any) -> Any:
    """The flagship, running this year so that reports for this week are accepted."""
    today = timezone.localdate()
    Campaign.objects.filter(pk=flagship.campaign.pk).update(start=date(today.year - 1, 1, 1), deadline=date(today.year + 1, 1, 1))
    flagship.campaign.refresh_from_db()
    return flagship


def test_board_and_page_scoped_by_division(live: Any, city: Any) -> None:
    board = client(city.county_handler).get("/campaigns/")
    assert board.status_code == 200 and "已售商品房办证难专项攻坚" in board.content.decode()
    page = client(city.county_handler).get(f"/campaigns/{live.campaign.pk}/").content.decode()
    assert "自来水公司家属楼" in page and "铁岭变压器厂家属楼" in page and "高新家园小区" not in page
    assert "your area only" in page
    whole = client(city.leader).get(f"/campaigns/{live.campaign.pk}/").content.decode()
    assert "高新家园小区" in whole
    export = client(city.county_leader).get(f"/campaigns/{live.campaign.pk}/sub-items/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [r[0] for r in rows[1:]] == ["高新家园小区"]


def test_out_of_scope_is_404_and_forms_are_guarded(live: Any, city: Any) -> None:
    other = svc.campaign_create(actor=city.leader, title="开原专项", lead_official=city.county_leader,
                                lead_unit=live.county_b_gov, division=city.county_b, start=date(2022, 1, 1),
                                deadline=date(2022, 12, 31))
    assert client(city.county_handler).get(f"/campaigns/{other.pk}/").status_code == 404
    assert client(city.county_leader).get(f"/campaigns/{other.pk}/").status_code == 200
    assert client(city.handler).get("/campaigns/new/").status_code == 403
    assert client(city.county_handler).get(f"/campaigns/{live.campaign.pk}/edit/").status_code == 403
    assert client(city.env_handler).get(f"/campaigns/{live.campaign.pk}/report/").status_code == 403


def test_create_then_report_through_the_forms(live: Any, city: Any) -> None:
    c = client(city.leader)
    response = c.post("/campaigns/new/", {
        "kind": "campaign", "title": "老旧小区改造攻坚", "lead_official": city.leader.pk, "lead_unit": city.housing.pk,
        "division": city.city.pk, "start": "2026-01-01", "deadline": "2027-06-30", "goal": "全部完成",
    })
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="老旧小区改造攻坚")
    base = f"/campaigns/{campaign.pk}"
    c.post(f"{base}/metric/", {"key": "homes", "label": "户数", "unit_of_measure": "户"})
    c.post(f"{base}/metric/", {"key": "done_homes", "label": "已改造户数", "unit_of_measure": "户"})
    homes, done = campaign.metrics.order_by("order")
    c.post(f"{base}/indicator/", {"name": "改造完成率", "computation": "ratio", "numerator": done.pk, "denominator": homes.pk,
                                  "target": "100", "direction": "up", "baseline": "0", "monthly": "2026-06 = 40\n2026-12 = 80",
                                  "is_primary": "on"})
    bad = c.post(f"{base}/indicator/", {"name": "x", "computation": "ratio", "target": "1", "direction": "up",
                                        "monthly": "June: lots"}, follow=True)
    assert "write one month a line" in bad.content.decode()
    c.post(f"{base}/sub-item/", {"name": "光荣小区", "division": city.county_a.pk, "responsible_unit": city.county_gov.pk,
                                 "status": "in_progress", "m_homes": "200", "m_done_homes": "0"})
    assert campaign.indicators.get().monthly_targets.count() == 2
    item = campaign.sub_items.get()
    form = client(city.county_handler).get(f"{base}/report/")
    assert form.status_code == 200 and "光荣小区" in form.content.decode()
    sent = client(city.county_handler).post(f"{base}/report/", {
        "unit": city.county_gov.pk, "week": timezone.localdate().isoformat(), "narrative": "完成 50 户",
        f"f_{item.pk}_homes": "200", f"f_{item.pk}_done_homes": "50", f"s_{item.pk}": "in_progress"})
    assert sent.status_code == 302
    assert ProgressReport.objects.filter(campaign=campaign).count() == 1
    page = c.get(f"{base}/").content.decode()
    assert "25%" in page  # 50 of 200
    again = client(city.county_handler).post(f"{base}/report/", {
        "unit": city.county_gov.pk, "week": timezone.localdate().isoformat(), "narrative": "again"})
    assert again.status_code == 400 and "already reported" in again.content.decode()


def test_obstacle_form_raises_a_linked_case(live: Any, city: Any) -> None:
    c = client(city.county_handler)
    c.post(f"/campaigns/{live.campaign.pk}/obstacle/", {"sub_item": live.a1.pk, "title": "查封房产需法院协助",
                                                        "content": "12 户房产被查封"})
    link = CampaignCase.objects.get()
    assert link.sub_item == live.a1
    page = client(city.dispatcher).get(f"/cases/{link.case.number}/")
    assert page.status_code == 200
    campaign_url = f'href="/campaigns/{live.campaign.pk}/"'
    assert campaign_url in page.content.decode()  # city-level users see the city's campaigns
    assert link.case.number in client(city.leader).get(f"/campaigns/{live.campaign.pk}/").content.decode()
    case_page = client(city.leader).get(f"/cases/{link.case.number}/").content.decode()
    assert campaign_url in case_page and live.a1.name in case_page  # back to its campaign and sub-item
    assert "Public website" not in case_page  # raised by the system (未诉先办), not submitted on the public page


def test_import_page_reports_bad_rows(live: Any, city: Any) -> None:
    book = openpyxl.Workbook()
    book.active.append(["名称", "区划代码", "责任单位"])  # type: ignore[union-attr]
    book.active.append(["某小区", "000000", "XFX"])  # type: ignore[union-attr]
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "x.xlsx"
    response = client(live.registry_head).post(f"/campaigns/{live.campaign.pk}/sub-items/import/", {"file": data})
    assert response.status_code == 400
    assert "import-errors" in response.content.decode() and "区划代码" in response.content.decode()


def test_ranking_and_projects_pages(live: Any, city: Any) -> None:
    project = svc.campaign_create(actor=city.leader, kind="key_project", title="风电项目", investor="国家电投",
                                  total_investment=310000, lead_official=city.leader, lead_unit=city.county_gov,
                                  division=city.county_a, start=date(2022, 1, 1), deadline=date(2023, 12, 31))
    svc.project_stage_set(campaign=project, actor=city.leader, stage="approved", reached_on=date(2022, 9, 10))
    svc.project_investment_set(campaign=project, actor=city.leader, month=date(2022, 9, 1), planned=10000, completed=8000)
    page = client(city.leader).get("/projects/").content.decode()
    assert "风电项目" in page and "8000 / 310000" in page
    assert client(city.county_leader).get("/projects/").content.decode().count("风电项目") == 0
    ranking = client(city.leader).get("/campaigns/ranking/").content.decode()
    assert "西丰县人民政府" in ranking and "开原市人民政府" in ranking


def test_admin_lists_open_and_are_read_only(live: Any, city: Any) -> None:
    svc.report_submit(campaign=live.campaign, actor=city.county_handler, unit=city.county_gov,
                      week=timezone.localdate(), narrative="进展")
    admin = client(city.admin)
    for name in ("campaign", "progressreport", "campaignevent"):
        assert admin.get(f"/admin/campaigns/{name}/").status_code == 200
    assert admin.get("/admin/campaigns/campaign/add/").status_code == 403


def test_sub_item_export_and_import_pages_are_audited(live: Any, city: Any) -> None:
    from jingzhi.core.models import AuditLog

    c = Client(REMOTE_ADDR="10.7.7.7")
    c.force_login(city.county_leader)
    assert c.get(f"/campaigns/{live.campaign.pk}/sub-items/export.xlsx").status_code == 200
    row = AuditLog.objects.get(action="export")
    assert (row.actor_username, row.object_type, row.object_id, row.ip, row.detail["rows"]) == (
        "leader_ky", "campaign_sub_items", str(live.campaign.pk), "10.7.7.7", 1)
    book = openpyxl.Workbook()
    book.active.append(["名称", "区划代码", "责任单位", "状态", "受阻户数", "已化解户数"])  # type: ignore[union-attr]
    book.active.append(["银州花园小区", "211223", "XFX", "进行中", 80, 10])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = Client(REMOTE_ADDR="10.8.8.8")
    manager.force_login(live.registry_head)
    upload = SimpleUploadedFile("子项.xlsx", out.getvalue())
    response = manager.post(f"/campaigns/{live.campaign.pk}/sub-items/import/", {"file": upload})
    assert response.status_code in (200, 302)
    row = AuditLog.objects.get(action="import")
    assert (row.actor_username, row.object_type, row.ip, row.detail["file"]) == (
        "bdc_head", "sub_item", "10.8.8.8", "子项.xlsx")
