"""Pages, REST endpoints and the CLI of early warning: who may see and do what (anonymous, other county, wrong role,
someone else's task), CAP upload through each door, and the CLI's stable JSON line and exit codes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.cli import main
from jingzhi.earlywarning.models import InspectionTask, Warning
from jingzhi.earlywarning.services import warning_import_cap
from tests.earlywarning.conftest import area, cap_xml


@pytest.fixture
def warned(land: Any) -> Warning:
    sent = timezone.now() - timedelta(minutes=5)
    data = cap_xml(areas=area("西丰县", "211223"), sent=sent.isoformat(timespec="seconds"))
    return warning_import_cap(actor=None, data=data).warning


def test_pages_access_matrix(land: Any, warned: Warning, city: Any, client_for: Any) -> None:
    board = f"/warnings/{warned.pk}/"
    task = InspectionTask.objects.get(warning=warned, official=land.town_official, site__code="XF1")
    assert Client().get(board).status_code == 302  # anonymous → sign in
    assert Client().get("/api/v1/warnings/").status_code in (401, 403)
    assert client_for(city.handler).get(board).status_code == 403  # wrong role
    assert client_for(land.ky_official).get(board).status_code == 404  # another county's leader
    assert client_for(land.ky_official).get(f"/warnings/tasks/{task.pk}/").status_code == 404
    for user in (city.dispatcher, city.supervisor, land.county_official):
        page = client_for(user).get(board)
        assert page.status_code == 200 and "寇河西丰段" in page.content.decode()
    partial = client_for(city.dispatcher).get(board, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert client_for(city.dispatcher).get(f"{board}report/").status_code == 200
    assert client_for(city.dispatcher).get("/warnings/sites/").status_code == 200
    index = client_for(land.town_official).get("/warnings/")
    assert index.status_code == 200 and "寇河西丰段" in index.content.decode()
    # someone else's task: visible to the duty office, not theirs to answer
    assert client_for(city.dispatcher).post(f"/warnings/tasks/{task.pk}/acknowledge/").status_code == 403
    town = client_for(land.town_official)
    assert town.post(f"/warnings/tasks/{task.pk}/acknowledge/").status_code == 302
    assert town.post(f"/warnings/tasks/{task.pk}/on_site/").status_code == 302
    bad = town.post(f"/warnings/tasks/{task.pk}/report/", {"situation": "", "people_moved": "-1"})
    assert bad.status_code == 400
    assert town.post(f"/warnings/tasks/{task.pk}/report/", {"situation": "平稳", "people_moved": "0"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "reported"
    assert town.post(f"/warnings/tasks/{task.pk}/nonsense/").status_code == 404


def test_cap_upload_page_refuses_bad_cap_and_imports_good(land: Any, city: Any, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    dispatcher = client_for(city.dispatcher)
    bad = dispatcher.post("/warnings/cap/", {"file": SimpleUploadedFile("a.xml", cap_xml(info=False))})
    assert bad.status_code == 400 and "&lt;info&gt;" in bad.content.decode() and not Warning.objects.exists()
    good = dispatcher.post("/warnings/cap/", {"file": SimpleUploadedFile("a.xml", cap_xml(areas=area("开原市", "211282")))})
    assert good.status_code == 302 and Warning.objects.count() == 1
    assert client_for(city.handler).post("/warnings/cap/", {}).status_code == 403
    form = {"token": "t-1", "warning_type": "flood", "level": "red", "headline": "洪水", "divisions": [city.county_b.pk]}
    assert dispatcher.post("/warnings/new/", form).status_code == 302
    assert dispatcher.post("/warnings/new/", form).status_code == 302  # the same form again: no second warning
    assert Warning.objects.count() == 2


def test_rest_endpoints(land: Any, warned: Warning, city: Any, client_for: Any) -> None:
    api = client_for(city.dispatcher)
    assert [w["identifier"] for w in api.get("/api/v1/warnings/?active=1").json()] == ["msg-1"]
    assert {s["code"] for s in api.get("/api/v1/sites/").json()} == {"XF1", "XF2", "KY1", "QH1"}
    assert {s["code"] for s in client_for(land.ky_official).get("/api/v1/sites/").json()} == {"KY1"}
    assert client_for(land.ky_official).get(f"/api/v1/warnings/{warned.pk}/").status_code == 404
    tasks = api.get(f"/api/v1/warning-tasks/?warning={warned.pk}").json()
    assert len(tasks) == 4
    own = client_for(land.town_official)
    mine = own.get("/api/v1/warning-tasks/?mine=1").json()
    assert {t["site"] for t in mine} == {"XF1", "XF2"}
    pk = mine[0]["id"]
    assert api.post(f"/api/v1/warning-tasks/{pk}/acknowledge/").status_code == 403
    assert client_for(land.ky_official).post(f"/api/v1/warning-tasks/{pk}/acknowledge/").status_code == 404
    acked = own.post(f"/api/v1/warning-tasks/{pk}/acknowledge/")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert own.post(f"/api/v1/warning-tasks/{pk}/report/", {"situation": "x"}, content_type="application/json").status_code == 409
    assert [e["kind"] for e in own.get(f"/api/v1/warning-tasks/{pk}/events/").json()] == ["delivered", "acknowledged"]
    bad = api.post("/api/v1/warnings/cap/", cap_xml(info=False), content_type="application/xml")
    assert bad.status_code == 400 and "<info>" in bad.json()["detail"]
    update = cap_xml(identifier="msg-2", msg_type="Update", references="qx@test,msg-1,2026-07-30T06:00:00+08:00",
                     areas=area("西丰县", "211223") + area("开原市", "211282"))
    done = api.post("/api/v1/warnings/cap/", update, content_type="application/xml")
    assert done.status_code == 200 and done.json()["status"] == "updated" and done.json()["tasks"]["created"] == 1
    assert client_for(city.handler).post("/api/v1/warnings/cap/", update, content_type="application/xml").status_code == 403
    body = {"warning_type": "flood", "level": "red", "headline": "洪水", "divisions": ["211282"]}
    made = api.post("/api/v1/warnings/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/warnings/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert made.status_code == 201 and again.json()["status"] == "unchanged" and again.json()["id"] == made.json()["id"]
    assert api.post("/api/v1/warnings/", {**body, "divisions": ["000"]}, content_type="application/json").status_code == 400


def test_cli_import_prints_one_json_line_and_bad_cap_exits_2(land: Any, tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "alert.xml"
    good.write_bytes(cap_xml(areas=area("西丰县", "211223") + area("清河区", "211204")))
    assert main(["warnings", "import", str(good), "--json"]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert line == {"identifier": "msg-1", "warning": "msg-1", "status": "new",
                    "tasks": {"created": 5, "changed": 0, "ended": 0}}
    bad = tmp_path / "bad.xml"
    bad.write_bytes(cap_xml(areas=area("西丰县", "999999"), identifier="msg-9"))
    assert main(["warnings", "import", str(bad), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: <geocode>") and "\n" not in err
    assert main(["warnings", "import", str(tmp_path / "missing.xml")]) == 2
    assert Warning.objects.count() == 1
