"""The demo's programmes: the ones the 2022 report names, with the counties it names qualifying and winning."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jingzhi.demo.loader import load_demo
from jingzhi.matching.programmes.access import divisions_visible_to, efforts_visible_to
from jingzhi.matching.programmes.efforts import overdue
from jingzhi.matching.programmes.models import DivisionMatch, Effort
from jingzhi.org.models import User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_programmes() -> None:
    load_demo(password="demo-pass-123", now=NOW, cases=0)

    def outcome(title: str, county: str) -> str:
        return DivisionMatch.objects.get(programme__versions__title=title, division__name=county).outcome

    assert outcome("国家农业现代化示范区", "开原市") == "qualified"
    assert outcome("水系连通及水美乡村建设试点县", "清河区") == "qualified"
    # 清河区 is the only county that qualifies for 水美乡村; 昌图县 misses the 示范区 by its mechanisation rate.
    assert DivisionMatch.objects.filter(programme__versions__title="水系连通及水美乡村建设试点县", outcome="qualified").count() == 1
    near = DivisionMatch.objects.get(programme__versions__title="国家农业现代化示范区", division__name="昌图县")
    assert near.outcome == "near" and near.missing["field"] == "mechanisation" and near.missing["gap"] == "short by 4"
    won = {(e.division.name, e.version.title) for e in Effort.objects.filter(stage="won")}
    assert {("开原市", "国家农业现代化示范区"), ("清河区", "水系连通及水美乡村建设试点县")} <= won
    leader = User.objects.get(username="leader")
    assert divisions_visible_to(leader).count() == 7 and overdue(efforts_visible_to(leader)).exists()
    county = User.objects.get(username="leader_xf")
    assert list(divisions_visible_to(county).values_list("name", flat=True)) == ["西丰县"]
