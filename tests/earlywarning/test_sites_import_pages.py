"""The danger-sites import page and `POST /api/v1/sites/import/`: who may use them, the template, a good file, and a
file with bad rows (every bad row listed, nothing saved)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jingzhi.earlywarning.models import DangerSite

HEADER = "点位编码,点位名称,类型,区划代码,地址,纬度,经度,风险等级,应急责任单位代码,包保责任人\n"
GOOD = HEADER + "XF9,寇河新段,险工险段,211223100,西丰镇,42.70,124.70,高,SLJ,xf_town:乡镇级\nKY9,开原老楼,老旧房屋,211282,,,,,,\n"
BAD = HEADER + ("XF10,新点位,险工险段,211223100,,42.7,abc,,,\n"
                "XF11,另一点位,火山,211223100,,,,,,\n"
                "XF12,第三点位,水库,999999,,,,,,nobody:乡镇级\n")


def upload(text: str, name: str = "sites.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_page_access_matrix(land: Any, city: Any, client_for: Any) -> None:
    page, template = "/warnings/sites/import/", "/warnings/sites/import/template.xlsx"
    anonymous = Client()
    assert anonymous.get(page).status_code == 302 and anonymous.get(template).status_code == 302
    for user in (city.handler, land.town_official, land.county_official):  # wrong role (a leader only watches)
        assert client_for(user).get(page).status_code == 403
        assert client_for(user).post(page, {"file": upload(GOOD)}).status_code == 403
    assert not DangerSite.objects.filter(code="XF9").exists()
    for user in (city.dispatcher, city.supervisor, city.admin):
        assert client_for(user).get(page).status_code == 200
    sheet = client_for(city.dispatcher).get(template)
    assert sheet.status_code == 200
    header = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(max_row=1))]
    assert [str(h).rstrip(" *") for h in header][:2] in (["点位编码", "点位名称"], ["code", "name"])
    assert "sites/import/" in client_for(city.dispatcher).get("/warnings/sites/").content.decode()


def test_import_page_saves_a_good_file_and_lists_every_bad_row(land: Any, city: Any, client_for: Any) -> None:
    client = client_for(city.dispatcher)
    bad = client.post("/warnings/sites/import/", {"file": upload(BAD)})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "import-result" in text and all(f"<td>{row}</td>" in text for row in (2, 3, 4))
    assert not DangerSite.objects.filter(code__in=["XF10", "XF11", "XF12"]).exists()
    assert client.post("/warnings/sites/import/", {}).status_code == 400  # no file: the form says so
    good = client.post("/warnings/sites/import/", {"file": upload(GOOD)})
    assert good.status_code == 200 and "import-result" in good.content.decode()
    assert DangerSite.objects.get(code="XF9").officials.get().responsibility.official == land.town_official
    assert DangerSite.objects.filter(code="KY9").exists()


def test_import_api(land: Any, city: Any, client_for: Any) -> None:
    url = "/api/v1/sites/import/"
    assert Client().post(url, {"file": upload(GOOD)}).status_code in (401, 403)
    assert client_for(city.handler).post(url, {"file": upload(GOOD)}).status_code == 403
    assert client_for(land.county_official).post(url, {"file": upload(GOOD)}).status_code == 403
    assert not DangerSite.objects.filter(code="XF9").exists()
    client = client_for(city.supervisor)
    missing = client.post(url, {})
    assert missing.status_code == 400 and "file" in str(missing.json())
    bad = client.post(url, {"file": upload(BAD)})
    assert bad.status_code == 400
    body = bad.json()
    assert body["ok"] is False and body["created"] == 0 and sorted({e["row"] for e in body["errors"]}) == [2, 3, 4]
    assert not DangerSite.objects.filter(code__in=["XF10", "XF11", "XF12"]).exists()
    good = client.post(url, {"file": upload(GOOD)})
    assert good.status_code == 200 and good.json() | {"errors": []} == {
        "ok": True, "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    again = client.post(url, {"file": upload(GOOD)})
    assert again.status_code == 200 and again.json()["created"] == 0


def test_a_file_that_is_no_spreadsheet_is_a_clear_400_on_both_doors(land: Any, city: Any, client_for: Any) -> None:
    client = client_for(city.dispatcher)
    for name, content in (("sites.xlsx", b"PK\x03\x04 not really a zip"), ("sites.bin", b"\x00\x01"), ("empty.csv", b"")):
        page = client.post("/warnings/sites/import/", {"file": SimpleUploadedFile(name, content)})
        assert page.status_code == 400, name
        api = client.post("/api/v1/sites/import/", {"file": SimpleUploadedFile(name, content)})
        assert api.status_code == 400 and api.content, name
    assert not DangerSite.objects.exclude(code__in=["XF1", "XF2", "KY1", "QH1"]).exists()


def test_the_page_gate_is_the_services_rule_for_every_kind_of_user(land: Any, city: Any, client_for: Any) -> None:
    """One rule: the import page (and the other duty-office pages) let in exactly those whom may_issue lets import —
    every role, an administrator by role, and a superuser whatever role they carry."""
    from jingzhi.core.errors import PermissionDenied
    from jingzhi.earlywarning.access import may_issue
    from jingzhi.earlywarning.imports import sites_import
    from jingzhi.org.models import Role
    from tests import factories as f

    superuser = f.user(Role.HANDLER, city.housing, username="root_handler")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    users = [f.user(role, city.housing, city.city, username=f"gate_{role}") for role in Role.values
             if role != Role.ENTERPRISE] + [superuser]
    for user in users:
        allowed = may_issue(user)
        assert allowed == (user.is_superuser or user.role in (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)), user.username
        client = client_for(user)
        for page in ("/warnings/sites/import/", "/warnings/sites/import/template.xlsx"):
            assert client.get(page).status_code == (200 if allowed else 403), (user.username, page)
        # The service applies the same rule: what the page refuses, the service refuses too.
        if allowed:
            assert sites_import(actor=user, rows_file=io.BytesIO(GOOD.encode())).ok, user.username
        else:
            with pytest.raises(PermissionDenied):
                sites_import(actor=user, rows_file=io.BytesIO(GOOD.encode()))
