"""The demo's enterprise service: the report's enterprises and counts, the 专班, the truck story, the door user."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jingzhi.demo.loader import load_demo
from jingzhi.enterprises.models import Need, TaskForce
from jingzhi.enterprises.selectors import board, door_needs
from jingzhi.org.models import Enterprise, EnterpriseTag, User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_enterprises() -> None:
    load_demo(password="demo-pass-123", now=NOW, cases=0)
    tags = EnterpriseTag.objects.all()  # the report's counts are the city's, the named enterprises included
    assert tags.filter(tag="tech_sme").count() == 305 and tags.filter(tag="high_tech").count() == 135
    assert tags.filter(tag="tech_sme", enterprise__is_demo=True).count() == 303  # two named ones are tech SMEs
    assert tags.filter(tag="eaglet").count() == 50 and tags.filter(tag="gazelle").count() == 27
    truck = Need.objects.get(enterprise__name="铁岭风景文具有限公司")
    assert "高速出口" in truck.case.title and "护送" in truck.case.reply
    tf = TaskForce.objects.get(name="银州经济开发区企业服务专班")
    b = board(User.objects.get(username="leader"), tf.pk, now=NOW)
    assert b is not None and b.enterprises >= 20 and sum(n for _, n in b.by_age) >= 1 and b.load
    door = User.objects.get(username="qiye_leni")
    assert {n.enterprise.name for n in door_needs(door)} == {"莱尼线束系统(铁岭)有限公司"}
    # 309 of this demo, and the six rubber producers and buyers of the supply ↔ demand demo (supplydemand/demo.py).
    assert Enterprise.objects.count() == 309 + 6
