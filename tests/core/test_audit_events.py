"""Every security-relevant event reaches the audit log with actor, IP, time, object and outcome, by using the
real page, endpoint or command; and the audit log's admin page searches and exports it, for administrators only."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.factories import CaseFactory
from tests.org.files import xlsx

from jingzhi.cli import main
from jingzhi.core.audit import audit_record, audit_verify
from jingzhi.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def signed_in(user: Any, ip: str = "10.20.30.40") -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    return client


def last(action: str) -> AuditLog:
    row = AuditLog.objects.filter(action=action).order_by("-id").first()
    assert row is not None, f"no {action} row"
    return row


def test_case_list_export_is_audited(city: Any) -> None:
    CaseFactory(actor=city.operator, division_code=city.city.code)
    response = signed_in(city.leader).get(reverse("web:case_export") + "?list=all")
    assert response.status_code == 200
    row = last("export")
    assert (row.actor_username, row.object_type, row.object_id, row.ip, row.outcome) == (
        "leader", "case_list", "all", "10.20.30.40", "success")
    assert row.detail["rows"] == 1 and row.detail["file"].endswith(".xlsx")
    assert audit_verify().ok


def test_attachment_download_is_audited(city: Any) -> None:
    upload = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xffJPEG", content_type="image/jpeg")
    case = CaseFactory(actor=city.operator, division_code=city.city.code, attachments=[upload])
    attachment = case.attachments.get()
    response = signed_in(city.operator, "192.168.7.8").get(reverse("web:attachment", args=[case.number, attachment.pk]))
    assert response.status_code == 200
    row = last("attachment_download")
    assert (row.actor_username, row.object_id, row.ip) == ("operator", str(attachment.pk), "192.168.7.8")
    assert row.detail["case"] == case.number and row.detail["name"] == "现场照片.jpg"
    # Refused (out of scope): a 404 and no download row.
    before = AuditLog.objects.count()
    assert signed_in(city.env_handler).get(reverse("web:attachment", args=[case.number, attachment.pk])).status_code == 404
    assert AuditLog.objects.count() == before


def test_admin_imports_are_audited_with_counts_and_failures(city: Any) -> None:
    admin = signed_in(city.admin, "10.0.0.9")
    good = xlsx([["代码", "名称", "级别", "上级代码"], ["211202", "银州区", "区", "211200"]], name="区划.xlsx")
    assert admin.post(reverse("admin:org_division_import"), {"file": good}).status_code == 302
    row = last("import")
    assert (row.actor_username, row.object_type, row.outcome, row.ip) == ("admin", "division", "success", "10.0.0.9")
    assert (row.detail["file"], row.detail["rows"], row.detail["created"], row.detail["errors"]) == ("区划.xlsx", 1, 1, 0)
    bad = xlsx([["代码", "名称", "级别", "上级代码"], ["211203", "清河区", "宇宙", "211200"]], name="坏.xlsx")
    assert admin.post(reverse("admin:org_division_import"), {"file": bad}).status_code == 400
    row = last("import")
    assert (row.outcome, row.detail["errors"], row.detail["created"]) == ("failure", 1, 0)


def test_case_import_is_audited(city: Any) -> None:
    from jingzhi.cases.services.importer import import_cases

    result = import_cases(rows_file=xlsx([["标题"], ["x"]], name="cases.xlsx"), actor=city.operator)
    row = last("import")
    assert (row.object_type, row.actor_username, row.detail["rows"]) == ("case", "operator", result.rows)


def test_api_keys_made_and_revoked_from_the_cli_and_the_admin_are_audited(city: Any, capsys: Any) -> None:
    assert main(["apikey", "create", "--name", "province", "--role", "supervisor", "--division", "211282"]) == 0
    row = last("apikey_create")
    assert (row.object_id, row.actor_username, row.detail["source"], row.detail["role"]) == (
        "province", "", "cli", "supervisor")
    assert main(["apikey", "revoke", "province"]) == 0
    assert last("apikey_revoke").object_id == "province"
    assert main(["apikey", "create", "--name", "desk", "--role", "operator"]) == 0
    admin = signed_in(city.admin, "10.0.0.5")
    from jingzhi.api.models import ApiKey

    key = ApiKey.objects.get(name="desk")
    response = admin.post(reverse("admin:api_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]})
    assert response.status_code == 302
    row = last("apikey_revoke")
    assert (row.object_id, row.actor_username, row.ip, row.detail["source"]) == ("desk", "admin", "10.0.0.5", "admin")
    response = admin.post(reverse("admin:api_apikey_add"), {"name": "bridge", "role": "operator"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = last("apikey_create")
    assert (row.object_id, row.actor_username, row.ip) == ("bridge", "admin", "10.0.0.5")


def test_createadmin_from_the_cli_is_audited(city: Any, capsys: Any) -> None:
    assert main(["createadmin", "--username", "root2", "--password", "Long-enough-pw7"]) == 0
    row = last("admin_create")
    assert (row.object_type, row.object_id, row.detail["created"], row.detail["source"]) == ("user", "root2", True, "cli")
    # Promoting an existing operator to administrator is a role change: the row says what it was.
    assert main(["createadmin", "--username", "operator", "--password", "Long-enough-pw7"]) == 0
    row = last("admin_create")
    assert (row.object_id, row.detail["created"], row.detail["role_before"], row.detail["role"]) == (
        "operator", False, "operator", "admin")


def test_reveal_is_audited_with_the_ip(city: Any) -> None:
    case = CaseFactory(actor=city.operator, division_code=city.city.code)
    response = signed_in(city.operator, "10.9.9.9").post(reverse("web:case_reveal", args=[case.number, "requester_phone"]))
    assert response.status_code == 200
    row = last("reveal")
    assert (row.object_id, row.ip, row.detail) == (case.number, "10.9.9.9", {"field": "requester_phone"})


# ------------------------------------------------------------------------------------- the audit log's admin


def _some_rows(city: Any) -> None:
    audit_record(actor=city.operator, action="reveal", object_type="case", object_id="TL1", ip="10.1.1.1")
    audit_record(actor=city.leader, action="export", object_type="case_list", object_id="all", ip="10.2.2.2")
    audit_record(actor=None, action="login_failed", object_type="user", object_id="ghost", ip="10.3.3.3",
                 outcome="failure")


def test_the_audit_admin_filters_and_translates(city: Any) -> None:
    _some_rows(city)
    admin = signed_in(city.admin)
    url = reverse("admin:core_auditlog_changelist")
    page = admin.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "查看个人信息" in page and "导出数据" in page  # action labels in Chinese
    assert "ghost" in page and "TL1" in page

    def shown(query: str) -> set[str]:
        response = admin.get(url + query)
        assert response.status_code == 200
        return {r.object_id for r in response.context["cl"].result_list}

    assert shown("?actor=leader") == {"all"}
    assert shown("?action=reveal") == {"TL1"}
    assert shown("?outcome__exact=failure") == {"ghost"}
    assert shown("?ip=10.3.3.3") == {"ghost"}
    assert shown("?object=case_list") == {"all"}
    assert shown("?object_type=case") == {"TL1"}
    assert shown("?since=2000-01-01&until=2000-01-02") == set()
    assert shown("?since=2000-01-01") == {"TL1", "all", "ghost"}
    assert shown("?since=not-a-date") == {"TL1", "all", "ghost"}


def test_the_audit_admin_exports_to_excel_and_audits_the_export(city: Any) -> None:
    _some_rows(city)
    admin = signed_in(city.admin, "10.4.4.4")
    response = admin.get(reverse("admin:core_auditlog_export") + "?outcome__exact=failure")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(rows) == 2 and rows[1][5] == "ghost"
    row = last("audit_export")
    assert (row.actor_username, row.ip, row.detail["rows"]) == ("admin", "10.4.4.4", 1)
    assert audit_verify().ok


def test_the_audit_admin_is_read_only(city: Any) -> None:
    _some_rows(city)
    admin = signed_in(city.admin)
    entry = AuditLog.objects.order_by("id").first()
    assert entry is not None
    change = admin.get(reverse("admin:core_auditlog_change", args=[entry.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert admin.get(reverse("admin:core_auditlog_add")).status_code == 403
    assert admin.post(reverse("admin:core_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("who", ["anonymous", "operator", "supervisor", "leader", "county_leader", "staff"])
def test_access_matrix_of_the_audit_admin(city: Any, who: str) -> None:
    """Only administrators: not anonymous users, not other roles, not a staff user with the Django view permission."""
    _some_rows(city)
    if who == "anonymous":
        client = Client()
    else:
        user = getattr(city, who) if who != "staff" else city.supervisor
        if who == "staff":
            from django.contrib.auth.models import Permission

            user.is_staff = True
            user.save()
            user.user_permissions.add(Permission.objects.get(codename="view_auditlog"))
        client = signed_in(user)
    for url in (reverse("admin:core_auditlog_changelist"), reverse("admin:core_auditlog_export")):
        response = client.get(url)
        assert response.status_code in (302, 403), (who, url, response.status_code)
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    assert not AuditLog.objects.filter(action="audit_export").exists()


def test_a_superuser_made_with_djangos_createsuperuser_is_audited(city: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "long-enough-pw-1")
    assert main(["manage", "createsuperuser", "--noinput", "--username", "root3", "--email", "root3@example.gov.cn"]) == 0
    row = last("admin_create")
    assert (row.object_id, row.detail["source"], row.detail["superuser"]) == (
        "root3", "jingzhi manage createsuperuser", True)
