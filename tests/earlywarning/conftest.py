"""A small warning landscape on the suite's two-county city: sites in 西丰县 (with a township) and 开原市 and a third
county, each with 包保 officials at township, county and city level; and a CAP builder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from jingzhi.earlywarning import services
from jingzhi.earlywarning.models import DangerSite
from tests import factories as f
from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name

NS = "urn:oasis:names:tc:emergency:cap:1.2"


def cap_xml(*, identifier: str = "msg-1", msg_type: str = "Alert", references: str = "", severity: str = "Severe",
            event: str = "暴雨橙色预警", areas: str = "", info: bool = True, ns: str = NS,
            sent: str = "2026-07-30T06:00:00+08:00") -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    body = (f"<info><language>zh-CN</language><category>Met</category><event>{event}</event><urgency>Immediate</urgency>"
            f"<severity>{severity}</severity><certainty>Likely</certainty><effective>{sent}</effective>"
            f"<headline>{event}</headline>{areas}</info>") if info else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><alert xmlns="{ns}"><identifier>{identifier}</identifier>'
            f"<sender>qx@test</sender><sent>{sent}</sent><status>Actual</status><msgType>{msg_type}</msgType>"
            f"<scope>Public</scope>{refs}{body}</alert>").encode()


def area(desc: str, *codes: str, polygon: str = "", circle: str = "") -> str:
    geocodes = "".join(f"<geocode><valueName>GB/T 2260</valueName><value>{c}</value></geocode>" for c in codes)
    shapes = (f"<polygon>{polygon}</polygon>" if polygon else "") + (f"<circle>{circle}</circle>" if circle else "")
    return f"<area><areaDesc>{desc}</areaDesc>{shapes}{geocodes}</area>"


@dataclass
class Landscape:
    city: Any
    xf_town: Any
    third: Any
    site_xf: DangerSite
    site_xf_village: DangerSite
    site_ky: DangerSite
    site_third: DangerSite
    town_official: Any
    county_official: Any
    city_official: Any
    ky_official: Any
    third_official: Any
    water: Any


@pytest.fixture
def land(city: Any) -> Landscape:
    xf_town = f.division("211223100", "西丰镇", "township", city.county_a)
    third = f.division("211204", "清河区", "county", city.city)
    water = f.unit("SLJ", "市水利局", city.city)
    town_official = f.user("leader", None, xf_town, username="xf_town")
    county_official = f.user("leader", None, city.county_a, username="xf_county")
    city_official = f.user("leader", None, city.city, username="city_boss")
    ky_official = f.user("leader", None, city.county_b, username="ky_town")
    third_official = f.user("leader", None, third, username="qh_town")

    def site(code: str, name: str, division: Any, lat: float, lon: float, officials: list[tuple[Any, str]],
             kind: str = "levee") -> DangerSite:
        s = services.site_upsert(actor=None, code=code, name=name, site_type=kind, division=division,
                                 latitude=lat, longitude=lon, emergency_unit=water)
        for official, level in officials:
            services.site_assign_official(actor=None, site=s, official=official, level=level)
        return s

    return Landscape(
        city=city, xf_town=xf_town, third=third, water=water,
        site_xf=site("XF1", "寇河西丰段", xf_town, 42.74, 124.72,
                     [(town_official, "township"), (county_official, "county"), (city_official, "city")]),
        site_xf_village=site("XF2", "永安村低洼地", xf_town, 42.76, 124.70, [(town_official, "township")], "low_village"),
        site_ky=site("KY1", "辽河开原段", city.county_b, 42.54, 123.90, [(ky_official, "township")]),
        site_third=site("QH1", "清河水库大坝", third, 42.55, 124.18, [(third_official, "township")], "reservoir"),
        town_official=town_official, county_official=county_official, city_official=city_official,
        ky_official=ky_official, third_official=third_official,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
