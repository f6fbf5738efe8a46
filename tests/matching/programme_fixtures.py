"""Shared set-up of the programme tests: a programme office (市生态环境局 of the test city), two counties' figures,
and one published programme over them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jingzhi.matching.programmes.models import Programme, ProgrammeOffice
from jingzhi.matching.programmes.services import figures_set, programme_create, programme_publish

# 国家农业现代化示范区-like: a provincial zone held, primary share ≥ 15 %, grain ≥ 50 万吨, mechanisation ≥ 88 %.
ZONE: dict[str, Any] = {
    "title": "国家农业现代化示范区", "issuer": "农业农村部、财政部", "level": "national", "document_number": "农计财发〔2026〕1号",
    "window_opens": "2026-01-01", "window_closes": "2099-12-31", "funding": "5000",
    "conditions": [{"field": "provincial_demo", "op": "is", "value": True},
                   {"field": "primary_share", "op": "gte", "value": "15"},
                   {"field": "grain_output", "op": "gte", "value": "50"},
                   {"field": "mechanisation", "op": "gte", "value": "88"}],
}
KAIYUAN = {"primary_share": "25", "grain_output": "100", "mechanisation": "90", "provincial_demo": True, "forest_cover": "33"}
XIFENG = {"primary_share": "30", "grain_output": "45", "mechanisation": "91", "provincial_demo": True, "forest_cover": "52"}


@dataclass
class Prog:
    city: Any
    programme: Programme


def make_prog(city: Any) -> Prog:
    ProgrammeOffice.objects.create(unit=city.env)
    figures_set(actor=city.env_handler, division=city.county_b, year=2025, values=dict(KAIYUAN), source="2025年统计公报")
    figures_set(actor=city.env_handler, division=city.county_a, year=2025, values=dict(XIFENG), source="2025年统计公报")
    programme, _ = programme_create(actor=city.env_handler, content=dict(ZONE))
    programme_publish(actor=city.env_handler, programme=programme)
    programme.refresh_from_db()
    return Prog(city, programme)
