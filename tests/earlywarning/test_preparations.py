"""Seasonal preparation tasks (issue 16): the unit they were raised to sees them and marks them done, once, saying
what it did; other units, other counties and anonymous callers cannot."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog
from jingzhi.earlywarning.models import PreparationTask, SeasonalRule
from jingzhi.earlywarning.preparations import preparation_done, preparations_for
from jingzhi.earlywarning.taskflow import raise_seasonal
from tests import factories as f
from tests.earlywarning.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(city: Any) -> PreparationTask:
    SeasonalRule.objects.create(name="供暖季", start_month=11, start_day=1, lead_days=30, unit=city.housing,
                                instructions="检修供热管网和锅炉")
    assert raise_seasonal(now=at("2026-10-05T09:00:00+08:00")) == 1
    return PreparationTask.objects.get()


def test_the_unit_sees_its_task_and_marks_it_done_once(city: Any, raised: PreparationTask) -> None:
    assert list(preparations_for(city.handler)) == [raised]
    assert list(preparations_for(city.env_handler)) == []  # another unit
    with pytest.raises(ValidationFailed):
        preparation_done(actor=city.handler, task_id=raised.pk, note="  ")
    with pytest.raises(NotFound):
        preparation_done(actor=city.env_handler, task_id=raised.pk, note="已检修")
    with pytest.raises(PermissionDenied):  # the duty office sees it but does not do the unit's work
        preparation_done(actor=city.dispatcher, task_id=raised.pk, note="已检修")
    done = preparation_done(actor=city.handler, task_id=raised.pk, note="检修锅炉32台，更换阀门3处",
                            now=at("2026-10-20T10:00:00+08:00"))
    assert (done.done_by, done.done_note) == (city.handler, "检修锅炉32台，更换阀门3处")
    assert AuditLog.objects.filter(action="preparation_done", object_id=str(raised.pk), actor=city.handler).count() == 1
    with pytest.raises(InvalidTransition):
        preparation_done(actor=city.unit_head, task_id=raised.pk, note="再次")
    assert PreparationTask.objects.get().done_note == "检修锅炉32台，更换阀门3处"


def test_the_page_lists_it_and_takes_the_done_mark(city: Any, raised: PreparationTask) -> None:
    url = reverse("earlywarning:preparation_done", args=[raised.pk])
    handler = Client()
    handler.force_login(city.handler)
    page = handler.get(reverse("earlywarning:index")).content.decode()
    assert f'id="prep-{raised.pk}"' in page and "检修供热管网和锅炉" in page and url in page
    empty = handler.post(url, {"note": ""})
    assert empty.status_code == 400 and PreparationTask.objects.get().done_at is None
    assert handler.post(url, {"note": "检修锅炉32台"}).status_code == 302
    assert PreparationTask.objects.get().done_by == city.handler


def test_the_access_matrix(client: Any, city: Any, raised: PreparationTask) -> None:
    url = reverse("earlywarning:preparation_done", args=[raised.pk])
    assert client.post(url, {"note": "x"}).status_code == 302  # anonymous: to sign in
    other_unit = Client()
    other_unit.force_login(city.env_handler)
    assert other_unit.post(url, {"note": "x"}).status_code == 404
    assert f'id="prep-{raised.pk}"' not in other_unit.get(reverse("earlywarning:index")).content.decode()
    other_county = Client()
    other_county.force_login(city.county_leader)  # 开原市's leader: 住建局 is a city unit, outside the county
    assert other_county.post(url, {"note": "x"}).status_code == 404
    wrong_role = Client()
    wrong_role.force_login(city.supervisor)  # sees it (city-wide oversight) but may not mark it
    assert f'id="prep-{raised.pk}"' in wrong_role.get(reverse("earlywarning:index")).content.decode()
    assert wrong_role.post(url, {"note": "x"}).status_code == 403
    assert PreparationTask.objects.get().done_at is None
    county_unit = f.unit("XF_ZJ", "西丰县住建局", city.county_a)
    assert list(preparations_for(f.user("handler", county_unit))) == []
