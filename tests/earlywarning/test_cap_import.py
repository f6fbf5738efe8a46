"""CAP 1.2 in: two areas fan out one task per official per site in them and none elsewhere; updates change and end
tasks, cancels end them; bad CAP is refused with the element named and nothing created."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.earlywarning import geo
from jingzhi.earlywarning.models import InspectionTask, TaskEvent, TaskStatus, Warning
from jingzhi.earlywarning.services import rule_set, warning_create, warning_import_cap
from tests.earlywarning.conftest import NS, area, at, cap_xml

NOW = at("2026-07-30T06:05:00+08:00")


def pairs(warning: Warning, *statuses: str) -> set[tuple[str, str]]:
    tasks = InspectionTask.objects.filter(warning=warning)
    if statuses:
        tasks = tasks.filter(status__in=statuses)
    return set(tasks.values_list("site__code", "official__username"))


def test_two_areas_make_one_task_per_official_per_site_and_none_elsewhere(land: Any) -> None:
    rule_set(actor=None, warning_type="heavy_rain", level="orange", ack_minutes=10, onsite_minutes=240, checklist=["巡查"])
    data = cap_xml(areas=area("西丰县", "211223") + area("清河区", "211204"))
    outcome = warning_import_cap(actor=None, data=data, now=NOW)
    assert outcome.status == "new" and outcome.created == 5
    assert pairs(outcome.warning) == {("XF1", "xf_town"), ("XF1", "xf_county"), ("XF1", "city_boss"),
                                      ("XF2", "xf_town"), ("QH1", "qh_town")}
    w = outcome.warning
    assert (w.warning_type, w.level, w.identifier) == ("heavy_rain", "orange", "msg-1")
    assert {d.code for d in w.divisions.all()} == {"211223", "211204"}
    task = InspectionTask.objects.get(warning=w, site__code="XF1", official__username="xf_town")
    assert task.checklist == ["巡查"] and (task.ack_due_at - NOW).total_seconds() == 600
    assert task.events.get().kind == TaskEvent.Kind.DELIVERED
    # in-app: one notification per official, however many sites they answer for
    assert Notification.objects.filter(kind="warning_task", recipient=land.town_official).count() == 1
    assert not Notification.objects.filter(recipient=land.ky_official).exists()


def test_area_by_name_and_by_polygon_and_circle(land: Any) -> None:
    by_name = warning_import_cap(actor=None, data=cap_xml(identifier="n1", areas=area("开原市")), now=NOW)
    assert pairs(by_name.warning) == {("KY1", "ky_town")}
    # A box around 寇河西丰段 only (not the village 2 km north), and a 5 km circle around the reservoir.
    box = "42.73,124.71 42.73,124.73 42.75,124.73 42.75,124.71 42.73,124.71"
    shaped = warning_import_cap(actor=None, data=cap_xml(identifier="p1", areas=area("寇河沿岸", polygon=box)
                                                          + area("清河水库周边", circle="42.56,124.18 5")), now=NOW)
    assert {s for s, _o in pairs(shaped.warning)} == {"XF1", "QH1"}


def test_ray_casting_and_haversine() -> None:
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    assert geo.in_polygon(0.5, 0.5, square) and not geo.in_polygon(1.5, 0.5, square)
    assert 110 < geo.distance_km(0, 0, 1, 0) < 112


def test_update_changes_and_ends_and_cancel_ends(land: Any) -> None:
    first = warning_import_cap(actor=None, data=cap_xml(areas=area("西丰县", "211223") + area("清河区", "211204")), now=NOW)
    rule_set(actor=None, warning_type="heavy_rain", level="red", ack_minutes=5, onsite_minutes=60)
    update = cap_xml(identifier="msg-2", msg_type="Update", references="qx@test,msg-1,2026-07-30T06:00:00+08:00",
                     severity="Extreme", event="暴雨红色预警", areas=area("西丰县", "211223") + area("开原市", "211282"))
    outcome = warning_import_cap(actor=None, data=update, now=NOW)
    assert (outcome.status, outcome.created, outcome.changed, outcome.ended) == ("updated", 1, 4, 1)
    assert outcome.warning.pk == first.warning.pk and outcome.warning.level == "red"
    assert pairs(first.warning, TaskStatus.ENDED) == {("QH1", "qh_town")}
    assert ("KY1", "ky_town") in pairs(first.warning, TaskStatus.NOT_ACKNOWLEDGED)
    assert InspectionTask.objects.get(warning=first.warning, site__code="XF1", level="township").rule.level == "red"
    cancel = cap_xml(identifier="msg-3", msg_type="Cancel", references="qx@test,msg-2,2026-07-30T07:00:00+08:00")
    outcome = warning_import_cap(actor=None, data=cancel, now=NOW)
    assert (outcome.status, outcome.ended) == ("cancelled", 5)
    assert not pairs(first.warning, TaskStatus.NOT_ACKNOWLEDGED)
    assert Warning.objects.get().status == Warning.Status.CANCELLED
    # the same message again changes nothing
    assert warning_import_cap(actor=None, data=cancel, now=NOW).status == "unchanged"


@pytest.mark.parametrize(("data", "element"), [
    (cap_xml(ns="urn:oasis:names:tc:emergency:cap:1.1", areas=area("西丰县", "211223")), "alert"),
    (cap_xml(info=False), "info"),
    (cap_xml(areas=area("西丰县", "999999")), "geocode"),
    (cap_xml(areas=area("西丰县", "211223") + area("火星区")), "areaDesc"),
    (cap_xml(areas=""), "area"),
    (cap_xml(msg_type="Update", areas=area("西丰县", "211223")), "references"),
    (cap_xml(msg_type="Cancel", references="qx@test,nope,2026-07-30T06:00:00+08:00"), "references"),
    (cap_xml(severity="Awful", areas=area("西丰县", "211223")), "severity"),
    (cap_xml(sent="2026-07-30T06:00:00", areas=area("西丰县", "211223")), "sent"),
    (cap_xml(areas=area("x", polygon="1,1 2,2 1,1")), "polygon"),
    (b"<alert", "alert"),
    (b'<!DOCTYPE a [<!ENTITY x "y">]><alert xmlns="' + NS.encode() + b'">&x;</alert>', "alert"),
])
def test_bad_cap_is_refused_with_the_element_named_and_nothing_created(land: Any, data: bytes, element: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        warning_import_cap(actor=None, data=data, now=NOW)
    assert e.value.fields["element"] == element and f"<{element}>" in e.value.fields["cap"]
    assert not Warning.objects.exists() and not InspectionTask.objects.exists()


def test_manual_warning_is_idempotent_and_only_the_duty_office_issues(land: Any, city: Any) -> None:
    kwargs = {"warning_type": "flood", "level": "red", "headline": "洪水红色预警", "divisions": [city.county_b],
              "idempotency_key": "form-1", "now": NOW}
    first = warning_create(actor=city.dispatcher, **kwargs)
    again = warning_create(actor=city.dispatcher, **kwargs)
    assert first.created == 1 and again.status == "unchanged" and Warning.objects.count() == 1
    with pytest.raises(PermissionDenied):
        warning_create(actor=city.handler, **{**kwargs, "idempotency_key": "form-2"})
    with pytest.raises(ValidationFailed):
        warning_create(actor=city.dispatcher, **{**kwargs, "divisions": [], "idempotency_key": "form-3"})
