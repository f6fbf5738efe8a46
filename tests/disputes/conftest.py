"""A city with two police stations (one per county), a county 政法委 and the city's 政法委, and their people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jingzhi.disputes.models import Dispute
from jingzhi.disputes.services import PartyInput, dispute_register
from tests import factories as f
from tests.api.conftest import api, key_for  # noqa: F401 — fixtures, found by pytest by name
from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name


@dataclass
class Police:
    station_a: Any
    station_b: Any
    committee_city: Any
    committee_a: Any
    officer_a: Any
    chief_a: Any
    officer_b: Any
    chief_b: Any
    zfw_city: Any
    zfw_a: Any


@pytest.fixture
def police(city: Any) -> Police:
    station_a = f.unit("PCS_A", "西丰镇派出所", city.county_a, kind="police_station")
    station_b = f.unit("PCS_B", "开原派出所", city.county_b, kind="police_station")
    committee_city = f.unit("ZFW", "市委政法委", city.city, kind="political_legal")
    committee_a = f.unit("ZFW_XF", "西丰县委政法委", city.county_a, kind="political_legal")
    return Police(
        station_a=station_a, station_b=station_b, committee_city=committee_city, committee_a=committee_a,
        officer_a=f.user("handler", station_a, username="officer_a"),
        chief_a=f.user("unit_head", station_a, username="chief_a"),
        officer_b=f.user("handler", station_b, username="officer_b"),
        chief_b=f.user("unit_head", station_b, username="chief_b"),
        zfw_city=f.user("handler", committee_city, username="zfw_city"),
        zfw_a=f.user("handler", committee_a, username="zfw_a"),
    )


def register(actor: Any, station: Any, division: Any, *, phone: str = "13900000001", name: str = "王大力",
             other: str = "13900000002", **kw: Any) -> Dispute:
    parties = [PartyInput(name=name, phone=phone), PartyInput(name="李二", phone=other)]
    kw.setdefault("type", "neighbour")
    kw.setdefault("summary", "邻居装修噪音引发争吵")
    dispute, _created = dispute_register(actor=actor, station=station, division=division, parties=parties, **kw)
    return dispute
