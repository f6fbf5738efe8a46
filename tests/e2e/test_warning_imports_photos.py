"""The danger-sites import page (a file with bad rows: every row listed) and a reported task with its photo, on a
phone in a real browser. Screenshots in test-artifacts/screenshots/: warning-sites-import-phone.png,
warning-task-photos-phone.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingzhi.earlywarning import taskflow
from jingzhi.earlywarning.models import InspectionTask
from jingzhi.earlywarning.services import warning_import_cap
from tests.e2e.test_warning_board import _sign_in
from tests.earlywarning.conftest import area, cap_xml, land  # noqa: F401 — the `land` fixture
from tests.earlywarning.test_photos import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = ("点位编码,点位名称,类型,区划代码,地址,纬度,经度,风险等级,应急责任单位代码,包保责任人\n"
       "XF10,新点位,险工险段,211223100,,42.7,abc,,,\nXF11,另一点位,火山,211223100,,,,,,\n")


def test_import_errors_and_task_photos_on_a_phone(land: Any, city: Any, live_server: Any, browser: Any,  # noqa: F811
                                                  screenshot_dir: Path, tmp_path: Path) -> None:
    page = _sign_in(browser, live_server, "dispatcher", 390, 844)
    page.goto(f"{live_server.url}/warnings/sites/import/")
    bad = tmp_path / "sites.csv"
    bad.write_text(BAD, encoding="utf-8")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("#import-result")
    assert page.locator("#import-result tbody tr").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.screenshot(path=str(screenshot_dir / "warning-sites-import-phone.png"), full_page=True)
    page.context.close()

    sent = (timezone.now() - timedelta(minutes=20)).isoformat(timespec="seconds")
    warning = warning_import_cap(actor=None, data=cap_xml(areas=area("西丰县", "211223"), sent=sent)).warning
    task = InspectionTask.objects.get(warning=warning, official=land.town_official, site__code="XF1")
    taskflow.task_acknowledge(actor=land.town_official, task_id=task.pk)
    taskflow.task_progress(actor=land.town_official, task_id=task.pk, to="on_site")
    taskflow.task_report(actor=land.town_official, task_id=task.pk, report=taskflow.Report(
        situation="水位上涨，堤防稳定", people_moved=3, photos=[SimpleUploadedFile("dam.png", PNG, "image/png")]))
    official = _sign_in(browser, live_server, "xf_town", 390, 844)
    official.goto(f"{live_server.url}/warnings/tasks/{task.pk}/")
    official.wait_for_selector("#task-photos img")
    assert official.evaluate("document.querySelector('#task-photos img').naturalWidth") == 1  # the photo loaded
    official.screenshot(path=str(screenshot_dir / "warning-task-photos-phone.png"), full_page=True)
    official.context.close()
