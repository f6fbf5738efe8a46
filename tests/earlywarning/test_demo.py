"""The demo's early warning on the demo city's organisation: the shipped CAP file replays as a warning for 西丰县 and
清河区 whose tasks are partly acknowledged, with the silent officials escalated and the reported hazard a case."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jingzhi.demo.loader import DemoSummary, _load_organisation, city_facts
from jingzhi.earlywarning import cap
from jingzhi.earlywarning.demo import DEMO_CAP, demo_cap_bytes, load_warning_demo
from jingzhi.earlywarning.models import DangerSite, InspectionTask, TaskEvent, Warning

NOW = datetime(2026, 7, 30, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_demo_warning_is_partly_acknowledged_and_escalated() -> None:
    _load_organisation(city_facts(), "Jingzhi-demo1", DemoSummary())
    created = load_warning_demo(now=NOW)
    warning = Warning.objects.get()
    assert {d.code for d in warning.divisions.all()} == {"211223", "211204"}
    tasks = InspectionTask.objects.filter(warning=warning)
    assert created == tasks.count() > 15
    # only sites in the two counties (none along the 辽河 in 开原, 铁岭县, 昌图)
    assert set(tasks.values_list("site__division__path", flat=True)) and all(
        "/211223/" in p or "/211204/" in p for p in tasks.values_list("site__division__path", flat=True))
    assert DangerSite.objects.filter(code__startswith="LH-").count() == 3
    statuses = Counter(tasks.values_list("status", flat=True))
    assert statuses["reported"] == 1 and statuses["on_site"] == 1 and statuses["on_the_way"] == 1
    assert statuses["acknowledged"] == 4 and statuses["pending"] == created - 7
    assert TaskEvent.objects.filter(kind="escalated").count() == statuses["pending"]
    assert tasks.get(status="reported").hazard_case is not None


def test_the_shipped_cap_file_is_valid_cap_as_shipped_and_as_replayed() -> None:
    from importlib import resources

    shipped = cap.parse(resources.files("jingzhi.earlywarning").joinpath("data", DEMO_CAP).read_bytes())
    assert (shipped.warning_type, shipped.level, len(shipped.areas)) == ("heavy_rain", "orange", 2)
    replayed = cap.parse(demo_cap_bytes(sent=NOW))
    assert replayed.sent == NOW and replayed.effective == NOW
