"""The demo's register: police stations with screened disputes of the four types, flags, escalations, figures."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jingzhi.demo.loader import load_demo
from jingzhi.disputes import figures, selectors
from jingzhi.disputes.models import Dispute, DisputeCase, Status
from jingzhi.org.models import User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_register() -> None:
    load_demo(password="demo-pass-123", now=NOW, cases=0)
    everyone = Dispute.objects.all()
    assert everyone.count() >= 40
    assert {"family", "neighbour", "medical", "labour"} <= set(everyone.values_list("type", flat=True))
    assert set(everyone.values_list("station__kind", flat=True)) == {"police_station"}
    assert set(everyone.values_list("status", flat=True)) >= {Status.OPEN, Status.RESOLVED}
    assert everyone.filter(repeat_count__gte=1).exists() and everyone.filter(recurred_at__isnull=False).exists()
    assert DisputeCase.objects.filter(relation="origin").count() == 1 and DisputeCase.objects.filter(relation="flagged").exists()
    zfw, xf = User.objects.get(username="zfw"), User.objects.get(username="pcs_xf")
    assert Dispute.objects.visible_to(zfw).count() == everyone.count()
    mine = Dispute.objects.visible_to(xf)
    assert 0 < mine.count() < everyone.count() and {d.division.path[:15] for d in mine} == {"/211200/211223/"}
    assert selectors.board_counts(User.objects.get(username="supervisor"))["overdue"] >= 1
    stations = figures.station_figures(zfw, start=date(2026, 5, 1), end=date(2026, 11, 25))
    assert len(stations) == 4 and [s.rank for s in stations] == [1, 2, 3, 4]
    assert sum(s.total.screened for s in stations) == everyone.count()
    assert all(s.total.first_mediation <= s.total.resolved <= s.total.screened for s in stations)
