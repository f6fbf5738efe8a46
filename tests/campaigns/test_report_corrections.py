"""Issue 11 #6: reports can be corrected (a new version with its reason, earlier ones visible), the obstacle
form names the missing sub-item, and whoever raised an obstacle sees it afterwards."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import Campaign, CampaignCase, ProgressReport, SubItem
from jingzhi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def live(flagship: Any) -> Any:
    """The flagship, running this year so that reports for this week are accepted."""
    today = timezone.localdate()
    Campaign.objects.filter(pk=flagship.campaign.pk).update(start=date(today.year - 1, 1, 1), deadline=date(today.year + 1, 1, 1))
    flagship.campaign.refresh_from_db()
    return flagship


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _file(live: Any, city: Any, **extra: str) -> Any:
    item = live.a1
    return client(city.county_handler).post(f"/campaigns/{live.campaign.pk}/report/", {
        "unit": city.county_gov.pk, "week": timezone.localdate().isoformat(), "narrative": "完成 50 户",
        f"f_{item.pk}_resolved": "50", **extra})


def test_a_report_is_corrected_as_a_new_version_with_its_reason(live: Any, city: Any) -> None:
    assert _file(live, city).status_code == 302
    again = _file(live, city, narrative="完成 60 户")
    assert again.status_code == 400 and "give the reason for the correction" in again.content.decode()
    assert ProgressReport.objects.filter(campaign=live.campaign).count() == 1  # nothing changed
    fixed = _file(live, city, **{"narrative": "完成 60 户", f"f_{live.a1.pk}_resolved": "60", "correction_reason": "上周少报 10 户"})
    assert fixed.status_code == 302
    first, second = ProgressReport.objects.filter(campaign=live.campaign).order_by("version")
    assert (first.version, first.is_current, second.version, second.is_current) == (1, False, 2, True)
    assert second.amendment_reason == "上周少报 10 户" and second.on_time == first.on_time
    assert SubItem.objects.get(pk=live.a1.pk).metrics["resolved"] == "60"  # the correction's figure stands
    page = client(city.leader).get(f"/campaigns/{live.campaign.pk}/").content.decode()
    assert "corrected (version 2)" in page and "上周少报 10 户" in page and "Version 1, filed" in page
    assert page.count("完成 50 户") == 1 and "完成 60 户" in page  # the earlier version stays readable


def test_obstacle_without_sub_item_names_what_is_missing(live: Any, city: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        svc.obstacle_raise(campaign=live.campaign, actor=city.county_handler, title="查封", content="12 户房产被查封")
    assert "sub_item" in caught.value.fields and "sub-item" in str(caught.value.message)
    r = client(city.county_handler).post(f"/campaigns/{live.campaign.pk}/obstacle/",
                                         {"title": "查封房产需法院协助", "content": "12 户"}, follow=True)
    body = r.content.decode()
    assert "sub-item" in body and "may raise obstacles" not in body
    assert not CampaignCase.objects.exists()


def test_the_raiser_sees_the_obstacle_afterwards(live: Any, city: Any) -> None:
    link, _created = svc.obstacle_raise(campaign=live.campaign, actor=city.county_handler, sub_item=live.a1,
                                        title="查封房产需法院协助", content="12 户房产被查封")
    page = client(city.county_handler).get(f"/campaigns/{live.campaign.pk}/").content.decode()
    assert link.case.number in page and "Raised by you" in page
