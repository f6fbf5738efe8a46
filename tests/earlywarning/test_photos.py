"""Photos with the on-site report: stored with the task, shown on the task and the after-event report, downloadable
only by those who may see the task; a file that is not a photo (or too large) is refused and nothing is saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jingzhi.core.models import AuditLog
from jingzhi.earlywarning import taskflow
from jingzhi.earlywarning.models import InspectionTask, TaskPhoto
from jingzhi.earlywarning.services import warning_import_cap
from tests.earlywarning.conftest import area, cap_xml

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def on_site(land: Any) -> InspectionTask:
    sent = timezone.now() - timedelta(minutes=5)
    warning = warning_import_cap(actor=None, data=cap_xml(areas=area("西丰县", "211223"),
                                                          sent=sent.isoformat(timespec="seconds"))).warning
    task = InspectionTask.objects.get(warning=warning, official=land.town_official, site__code="XF1")
    taskflow.task_acknowledge(actor=land.town_official, task_id=task.pk)
    taskflow.task_progress(actor=land.town_official, task_id=task.pk, to="on_site")
    return task


def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_saved(land: Any, on_site: InspectionTask,
                                                                       client_for: Any) -> None:
    town = client_for(land.town_official)
    url = f"/warnings/tasks/{on_site.pk}/report/"
    bad = town.post(url, {"situation": "水位上涨", "people_moved": "3",
                          "photos": [SimpleUploadedFile("a.png", PNG, "image/png"),
                                     SimpleUploadedFile("script.exe", b"MZ...", "application/octet-stream")]})
    assert bad.status_code == 400 and "“script.exe” is not a photo" in bad.content.decode()
    on_site.refresh_from_db()
    assert on_site.status == "on_site" and on_site.situation == "" and not TaskPhoto.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    too_many = [SimpleUploadedFile(f"{i}.png", PNG, "image/png") for i in range(taskflow.PHOTO_MAX_COUNT + 1)]
    assert town.post(url, {"situation": "x", "people_moved": "0", "photos": too_many}).status_code == 400
    assert not TaskPhoto.objects.exists()


def test_photos_are_kept_shown_and_downloadable_only_by_those_who_see_the_task(
        land: Any, city: Any, on_site: InspectionTask, client_for: Any) -> None:
    town = client_for(land.town_official)
    ok = town.post(f"/warnings/tasks/{on_site.pk}/report/", {
        "situation": "水位上涨", "people_moved": "3",
        "photos": [SimpleUploadedFile("dam.png", PNG, "image/png"), SimpleUploadedFile("bank.JPG", PNG, "image/jpeg")]})
    assert ok.status_code == 302
    photos = list(on_site.photos.all())
    assert [p.name for p in photos] == ["dam.png", "bank.JPG"] and photos[0].uploaded_by == land.town_official
    assert Path(photos[0].file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    url = f"/warnings/tasks/{on_site.pk}/photos/{photos[0].pk}/"
    assert url in town.get(f"/warnings/tasks/{on_site.pk}/").content.decode()
    report = client_for(city.dispatcher).get(f"/warnings/{on_site.warning_id}/report/").content.decode()
    assert url in report and "bank.JPG" in report
    download = client_for(city.dispatcher).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert AuditLog.objects.filter(action="warning_photo_download", actor=city.dispatcher).exists()
    assert Client().get(url).status_code == 302  # anonymous
    assert client_for(land.ky_official).get(url).status_code == 404  # another county's official
    assert client_for(city.handler).get(url).status_code == 404  # a unit's handler, not the emergency unit
    other = f"/warnings/tasks/{on_site.pk}/photos/{photos[0].pk + 100}/"
    assert town.get(other).status_code == 404


def test_the_rest_report_takes_photos_like_the_form(land: Any, city: Any, on_site: InspectionTask, client_for: Any) -> None:
    """POST /api/v1/warning-tasks/<id>/report/ as multipart/form-data: the same checks, the same storage; the task
    lists its photos; the API download is scoped and audited."""
    api = client_for(land.town_official)
    url = f"/api/v1/warning-tasks/{on_site.pk}/report/"
    bad = api.post(url, {"situation": "水位上涨", "people_moved": "3",
                         "photos": [SimpleUploadedFile("a.png", PNG, "image/png"),
                                    SimpleUploadedFile("script.exe", b"MZ...", "application/octet-stream")]})
    assert bad.status_code == 400 and "“script.exe” is not a photo" in bad.json()["detail"]
    big = SimpleUploadedFile("big.jpg", b"\xff" * (10 * 1024 * 1024 + 1), "image/jpeg")
    assert api.post(url, {"situation": "x", "photos": [big]}).status_code == 400
    too_many = [SimpleUploadedFile(f"{i}.png", PNG, "image/png") for i in range(taskflow.PHOTO_MAX_COUNT + 1)]
    assert api.post(url, {"situation": "x", "photos": too_many}).status_code == 400
    on_site.refresh_from_db()
    assert on_site.status == "on_site" and not TaskPhoto.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    ok = api.post(url, {"situation": "水位上涨", "people_moved": "3", "hazard": "",
                        "photos": [SimpleUploadedFile("dam.png", PNG, "image/png"),
                                   SimpleUploadedFile("bank.webp", PNG, "image/webp")]})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["status"] == "reported" and [p["name"] for p in body["photos"]] == ["dam.png", "bank.webp"]
    photo = TaskPhoto.objects.get(name="dam.png")
    assert photo.task_id == on_site.pk and photo.uploaded_by == land.town_official
    assert Path(photo.file.path).is_relative_to(media / "warning-photos")
    assert on_site.events.filter(kind="reported", channel="api").exists()
    # A retry changes nothing (no second set of photos).
    again = api.post(url, {"situation": "水位上涨", "photos": [SimpleUploadedFile("dam.png", PNG, "image/png")]})
    assert again.status_code == 200 and TaskPhoto.objects.count() == 2
    # Download: those who see the task (audited), 404 for the others.
    download_url = body["photos"][0]["url"]
    assert download_url == f"/api/v1/warning-tasks/{on_site.pk}/photos/{photo.pk}/"
    got = client_for(city.dispatcher).get(download_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert AuditLog.objects.filter(action="warning_photo_download", actor=city.dispatcher, object_id=str(photo.pk)).exists()
    assert Client().get(download_url).status_code in (401, 403)
    assert client_for(land.ky_official).get(download_url).status_code == 404
    assert client_for(city.handler).get(download_url).status_code == 404
    listed = client_for(city.dispatcher).get(f"/api/v1/warning-tasks/?warning={on_site.warning_id}").json()
    assert any(t["photos"] for t in listed)


def test_the_schema_documents_the_photo_upload(db: None) -> None:
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    op = paths["/api/v1/warning-tasks/{id}/report/"]["post"]
    assert set(op["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    multipart = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    photos = schema["components"]["schemas"][multipart]["properties"]["photos"]
    assert photos["type"] == "array" and photos["items"]["format"] == "binary"
    assert "photos" in schema["components"]["schemas"]["Task"]["properties"]
    assert "/api/v1/warning-tasks/{id}/photos/{photo}/" in paths
