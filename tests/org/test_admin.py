"""The admin: every model registered, saves through the services, read-only where services own the rows,
the Excel import pages (upload, errors table, template download) and the calendar warnings on the index.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from jingzhi.cases.models import Case
from jingzhi.core.models import AuditLog, CalendarDay, SlaPolicy
from jingzhi.org.models import Division, Role, Unit, User
from tests.factories import CaseFactory
from tests.org.files import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, city):
    client.force_login(city.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # pages in the msgids' language; one test checks Chinese
    return client


def _changelist(model: type) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


# ------------------------------------------------------------------------------------------ every model


def test_every_model_of_the_four_apps_is_registered():
    from django.apps import apps

    for label in ("org", "core", "cases", "dispatch"):
        for model in apps.get_app_config(label).get_models():
            assert admin.site.is_registered(model), model


def test_every_admin_page_opens(admin_client, city):
    CaseFactory(actor=city.operator)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("org", "core", "cases", "dispatch"):
            continue
        response = admin_client.get(_changelist(model), follow=True)
        assert response.status_code == 200, model
        obj = model._default_manager.first()
        if obj is not None:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
            assert admin_client.get(url).status_code == 200, model
        if model_admin.has_add_permission(response.wsgi_request):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
            assert admin_client.get(url).status_code == 200, model


def test_people_who_are_not_staff_cannot_open_the_admin(client, city):
    client.force_login(city.handler)
    response = client.get(reverse("admin:org_division_import"))
    assert response.status_code == 302 and "login" in response["Location"]


# ------------------------------------------------------------------------------- saves through services


def test_adding_a_division_in_the_admin_sets_its_path(admin_client, city):
    response = admin_client.post(reverse("admin:org_division_add"),
                                 {"code": "211202", "name": "银州区", "level": "county", "parent": city.city.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Division.objects.get(code="211202").path == "/211200/211202/"


def test_a_bad_division_in_the_admin_shows_the_services_error_and_saves_nothing(admin_client, city):
    response = admin_client.post(reverse("admin:org_division_add"),
                                 {"code": "211202", "name": "银州区", "level": "community", "parent": city.city.pk})
    assert response.status_code == 200
    assert "cannot sit under" in response.content.decode()
    assert not Division.objects.filter(code="211202").exists()


def test_moving_a_division_in_the_admin_moves_its_subtree(admin_client, city):
    township = Division.objects.create(code="211223001", name="西丰镇", level="township", parent=city.county_a,
                                       path="/211200/211223/211223001/")
    province = Division.objects.create(code="210000", name="辽宁省", level="province", path="/210000/")
    url = reverse("admin:org_division_change", args=[city.city.pk])
    response = admin_client.post(url, {"name": "铁岭市", "level": "city", "parent": province.pk})
    assert response.status_code == 302
    township.refresh_from_db()
    assert township.path == "/210000/211200/211223/211223001/"


def test_a_division_cannot_move_under_its_own_subtree(admin_client, city):
    url = reverse("admin:org_division_change", args=[city.county_a.pk])
    response = admin_client.post(url, {"name": "西丰县", "level": "county", "parent": city.county_a.pk})
    assert response.status_code == 200
    city.county_a.refresh_from_db()
    assert city.county_a.parent == city.city


def test_adding_a_unit_and_a_user_in_the_admin(admin_client, city):
    response = admin_client.post(reverse("admin:org_unit_add"), {"code": "GAJ", "name": "市公安局", "short_name": "",
                                                                 "kind": "department", "division": city.city.pk,
                                                                 "is_active": "on"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="GAJ")

    response = admin_client.post(reverse("admin:org_user_add"), {
        "username": "police1", "display_name": "刘警官", "role": "handler", "unit": unit.pk, "phone": "138 1234 5678",
        "is_active": "on", "new_password": "Tieling-2027"})
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="police1")
    assert (user.unit, user.division, user.phone, user.is_staff) == (unit, city.city, "13812345678", False)
    assert user.check_password("Tieling-2027")


def test_a_user_without_the_unit_the_role_needs_is_refused_in_the_admin(admin_client, city):
    response = admin_client.post(reverse("admin:org_user_add"), {
        "username": "nobody", "display_name": "", "role": "handler", "phone": "", "is_active": "on", "new_password": ""})
    assert response.status_code == 200
    assert "needs a unit" in response.content.decode()
    assert not User.objects.filter(username="nobody").exists()


def test_changing_a_users_role_in_the_admin_keeps_the_password(admin_client, city):
    url = reverse("admin:org_user_change", args=[city.handler.pk])
    response = admin_client.post(url, {"display_name": "新名字", "role": Role.UNIT_HEAD, "unit": city.housing.pk,
                                       "phone": "", "is_active": "on", "new_password": ""})
    assert response.status_code == 302
    city.handler.refresh_from_db()
    assert (city.handler.role, city.handler.display_name) == (Role.UNIT_HEAD, "新名字")
    assert city.handler.check_password("test-pass-123")


def test_calendar_days_in_the_admin_go_through_the_service(admin_client, city):
    response = admin_client.post(reverse("admin:core_calendarday_add"),
                                 {"date": "2027-02-06", "is_workday": "on", "note": "春节调休"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 2, 6)).is_workday
    assert AuditLog.objects.filter(action="calendar_day_set", actor=city.admin).exists()


# ---------------------------------------------------------------------------------------------- read-only


def test_cases_are_read_only_in_the_admin_and_personal_data_stays_masked(admin_client, city):
    case = CaseFactory(actor=city.operator, requester_phone="13812345678")
    assert admin_client.get(reverse("admin:cases_case_add")).status_code == 403
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = admin_client.get(url).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "create" in page  # the event inline
    admin_client.post(url, {"title": "changed"})
    case.refresh_from_db()
    assert case.title != "changed"


def test_the_time_limit_policy_is_a_singleton(admin_client):
    policy = SlaPolicy.objects.first() or SlaPolicy.objects.create()
    assert admin_client.get(reverse("admin:core_slapolicy_add")).status_code == 403
    response = admin_client.get(_changelist(SlaPolicy))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_slapolicy_change", args=[policy.pk])
    assert admin_client.post(reverse("admin:core_slapolicy_delete", args=[policy.pk]), {"post": "yes"}).status_code == 403
    assert SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_the_audit_log_cannot_be_written_in_the_admin(admin_client, city):
    entry = AuditLog.objects.create(actor=city.admin, action="reveal", object_type="case", object_id="X")
    assert admin_client.get(reverse("admin:core_auditlog_add")).status_code == 403
    assert admin_client.post(reverse("admin:core_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403


# --------------------------------------------------------------------------------------------- import pages


def test_uploading_a_broken_file_shows_every_bad_row_and_saves_nothing(admin_client, city):
    upload = xlsx([
        ["代码", "名称", "级别", "上级代码"],
        ["211202", "银州区", "区", "211200"],
        ["211203", "清河区", "区", "219999"],
        ["211204", "调兵山市", "宇宙", "211200"],
    ], name="区划.xlsx")
    response = admin_client.post(reverse("admin:org_division_import"), {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    rows = response.context["errors_shown"]
    assert [(e.row, e.column) for e in rows] == [(3, "上级代码"), (4, "级别")]
    assert "<td>3</td>" in page and "219999" in page
    assert not Division.objects.filter(code="211202").exists()


def test_uploading_a_good_file_imports_it_and_says_how_many_rows(admin_client, city):
    upload = xlsx([["代码", "名称", "级别", "上级代码"], ["211202", "银州区", "区", "211200"]])
    response = admin_client.post(reverse("admin:org_division_import"), {"file": upload}, follow=True)

    assert response.redirect_chain[-1][0] == _changelist(Division)
    assert "Imported 1 rows" in response.content.decode()
    assert Division.objects.filter(code="211202").exists()


@pytest.mark.parametrize("model", [Division, Unit, User, Case, CalendarDay])
def test_each_import_page_and_template_download(admin_client, model):
    opts = model._meta
    page = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    download = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert sheet.max_row == 2 and sheet["A1"].value

    changelist = admin_client.get(_changelist(model), follow=True).content.decode()
    assert reverse(f"admin:{opts.app_label}_{opts.model_name}_import") in changelist


def test_uploading_cases_through_the_admin(admin_client, city):
    upload = xlsx([["标题", "内容", "类型", "区划代码", "电话", "外部编号"],
                   ["路灯不亮", "小区路灯坏了。", "举报", "211223", "13812345678", "L-1"],
                   ["路灯不亮", "小区路灯坏了。", "举报", "211223", "138", "L-2"]])
    response = admin_client.post(reverse("admin:cases_case_import"), {"file": upload})
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors_shown"]] == [(3, "电话")]
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_reported_on_the_page(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(reverse("admin:core_calendarday_import"),
                                 {"file": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")})
    assert response.status_code == 400
    assert "not a spreadsheet" in response.content.decode()


def test_uploading_the_calendar_through_the_admin(admin_client):
    upload = xlsx([["日期", "类型", "说明"], ["2027-02-06", "调休", "春节调休上班"], ["2027-02-08", "休息日", "春节"]])
    response = admin_client.post(reverse("admin:core_calendarday_import"), {"file": upload})
    assert response.status_code == 302
    assert CalendarDay.objects.count() == 2


# -------------------------------------------------------------------------------------------------- index


def test_the_admin_index_shows_calendar_warnings_and_the_imports(admin_client, monkeypatch):
    from jingzhi.core import services

    monkeypatch.setattr(services, "calendar_warnings", lambda *, today: ["WARNING-2027-HOLIDAYS"])
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "WARNING-2027-HOLIDAYS" in page
    assert reverse("admin:core_calendarday_import") in page
    assert reverse("admin:org_user_import") in page


def test_the_admin_index_shows_the_real_warnings_for_today(admin_client):
    from django.utils import timezone

    from jingzhi.core.services import calendar_warnings

    page = admin_client.get(reverse("admin:index")).content.decode()
    for warning in calendar_warnings(today=timezone.localdate()):
        assert warning in page


def test_the_pages_speak_chinese_to_chinese_browsers(client, city, monkeypatch):
    client.force_login(city.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    upload = xlsx([["代码", "名称", "级别", "上级代码"], ["211203", "清河区", "区", "219999"]])
    page = client.post(reverse("admin:org_division_import"), {"file": upload}).content.decode()
    assert "未保存任何数据" in page
    assert "219999" in page and "There is no" not in page

    from jingzhi.core import services

    monkeypatch.setattr(services, "year_is_covered", lambda year: False)
    page = client.get(reverse("admin:index")).content.decode()
    assert "法定节假日" in page and "Excel" in page


def test_case_events_read_as_words_not_codes(admin_client, city):
    case = CaseFactory(actor=city.operator)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = admin_client.get(_changelist(type(case.events.first()))).content.decode()
    assert "受理" in page and "已受理，待派单" in page
    assert ">create<" not in page and ">accepted<" not in page
    detail = admin_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "已受理，待派单" in detail


def test_the_admin_index_names_every_model_in_chinese(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "工单编号序列" in page
    for english in ("Case number sequences", "Task results", "Task Results", "Django 管理", "Django administration"):
        assert english not in page
