"""The Tieling demo's programmes (上级项目) — the ones the 2022 report names — with county figures and applications.

From the report: 开原市 entered the 2022 national list of 国家农业现代化示范区; 清河区 was the province's only place on the
2023–2024 list of 水系连通及水美乡村建设县 (40 in the country); 西丰县 entered the 国家农业绿色发展先行区 list; 铁岭县、
开原市、昌图县 the provincial 农业现代化示范区 list. Invented (demo): the document numbers, the conditions, every county
figure below and the amounts — plausible orders of magnitude, not statistics. Every row is marked is_demo.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from jingzhi.matching.programmes.efforts import effort_open, effort_record, suggested_official
from jingzhi.matching.programmes.matching import rematch
from jingzhi.matching.programmes.models import Effort, ProgrammeOffice
from jingzhi.matching.programmes.services import figures_set, programme_create, programme_publish
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import user_upsert

# code: population 万人, GDP 亿元, primary share %, grain 万吨, cultivated land 万亩, mechanisation %, forest cover %,
# rivers and channels km, villages on hardened roads %, provincial demonstration zone held, water-system plan approved.
FIGURES: dict[str, tuple[Any, ...]] = {
    "211202": (35, 200, 2, 3, 5, 80, 20, 60, 100, False, False),        # 银州区
    "211204": (10, 40, 12, 8, 20, 86, 42, 260, 100, False, True),       # 清河区
    "211221": (30, 110, 28, 70, 160, 87, 30, 320, 97, True, False),     # 铁岭县
    "211223": (30, 90, 30, 45, 120, 82, 52, 400, 98, False, False),     # 西丰县
    "211224": (80, 230, 35, 190, 400, 84, 15, 500, 95, True, False),    # 昌图县
    "211281": (23, 110, 5, 10, 20, 85, 18, 70, 100, False, False),      # 调兵山市
    "211282": (50, 190, 25, 100, 230, 90, 33, 450, 98, True, False),    # 开原市
}
NAMES = ("population", "gdp", "primary_share", "grain_output", "cultivated_land", "mechanisation", "forest_cover",
         "water_length", "rural_road_coverage", "provincial_demo", "water_plan")


def _programmes(today: date) -> list[tuple[str, str, dict[str, Any]]]:
    opens, closes = (today - timedelta(days=30)).isoformat(), (today + timedelta(days=60)).isoformat()
    return [
        ("NYJ", "agri-zone", {
            "title": "国家农业现代化示范区", "issuer": "农业农村部、财政部、国家发展改革委", "level": "national",
            "document_number": "农计财发〔示范〕1号", "funding": "5000", "window_opens": opens, "window_closes": closes,
            "summary": "以县为单位创建，已是省级示范区、粮食生产基础好、农业机械化水平高的县（市）优先。（示范数据）",
            "conditions": [{"field": "provincial_demo", "op": "is", "value": True},
                           {"field": "primary_share", "op": "gte", "value": "15"},
                           {"field": "grain_output", "op": "gte", "value": "50"},
                           {"field": "mechanisation", "op": "gte", "value": "88"}]}),
        ("SLJ", "water", {
            "title": "水系连通及水美乡村建设试点县", "issuer": "水利部、财政部", "level": "national",
            "document_number": "水农〔示范〕2号", "funding": "10000", "window_opens": opens, "window_closes": closes,
            "summary": "县域水系综合规划已批复、河湖水系较丰富、农村基础设施较完善的县（区）。（示范数据）",
            "conditions": [{"field": "water_plan", "op": "is", "value": True},
                           {"field": "water_length", "op": "gte", "value": "200"},
                           {"field": "forest_cover", "op": "gte", "value": "25"},
                           {"field": "rural_road_coverage", "op": "gte", "value": "98"}]}),
        ("NYJ", "green", {
            "title": "国家农业绿色发展先行区", "issuer": "农业农村部等", "level": "national",
            "document_number": "农规发〔示范〕3号", "window_opens": opens, "window_closes": closes,
            "summary": "生态基础好、森林覆盖率高的农业县。（示范数据）",
            "conditions": [{"field": "forest_cover", "op": "gte", "value": "45"},
                           {"field": "primary_share", "op": "gte", "value": "20"},
                           {"field": "rural_road_coverage", "op": "gte", "value": "95"}]}),
        ("NYJ", "prov-zone", {
            "title": "省级农业现代化示范区", "issuer": "辽宁省农业农村厅", "level": "province",
            "document_number": "辽农计〔示范〕4号", "funding": "1000", "window_opens": opens, "window_closes": closes,
            "summary": "第一产业占比较高、粮食产量50万吨以上、机械化率80%以上的县（市）区。（示范数据）",
            "conditions": [{"field": "primary_share", "op": "gte", "value": "12"},
                           {"field": "grain_output", "op": "gte", "value": "50"},
                           {"field": "mechanisation", "op": "gte", "value": "80"}]}),
    ]


def load_programme_demo(*, now: datetime) -> dict[str, int]:
    """Load after the policy catalogue: offices, the user h_nyj, county figures, four programmes, five applications."""
    today = timezone.localdate(now)
    units = {u.code: u for u in Unit.objects.filter(code__in=["NYJ", "SLJ"])}
    for unit in units.values():
        ProgrammeOffice.objects.get_or_create(unit=unit, defaults={"note": "示范数据"})
    password = User.objects.get(username="operator").password
    user_upsert(actor=None, username="h_nyj", role=Role.HANDLER, display_name="农业农村局项目专员", unit=units["NYJ"],
                password_hash=password)
    divisions = {d.code: d for d in Division.objects.filter(code__in=FIGURES)}
    for code, values in FIGURES.items():
        if code in divisions:
            figures_set(actor=None, division=divisions[code], year=today.year - 1, values=dict(zip(NAMES, values, strict=True)),
                        source=f"{today.year - 1}年国民经济和社会发展统计公报（示范数据）", is_demo=True)
    made = {}
    for office, key, content in _programmes(today):
        p, _created = programme_create(actor=None, office=units[office], content=content, is_demo=True,
                                       idempotency_key=f"demo-programme-{key}")
        programme_publish(actor=None, programme=p)
        made[key] = p
    rematch()
    leader = User.objects.get(username="leader")

    def effort(key: str, code: str, *steps: tuple[str, str, str | None]) -> Effort:
        division = divisions[code]
        e, _created = effort_open(actor=None, programme=made[key], division=division,
                                  official=suggested_official(division) or leader, deadline=today + timedelta(days=45),
                                  is_demo=True, idempotency_key=f"demo-effort-{key}-{code}")
        for stage, note, amount in steps:
            e = effort_record(actor=None, effort=e, stage=stage, note=note, amount=amount)
        return e

    effort("agri-zone", "211282", ("submitted", "申报材料已报省农业农村厅", None), ("reviewing", "部级评审", None),
           ("won", "入选2022年农业现代化示范区创建名单", "5000"))
    effort("water", "211204", ("submitted", "实施方案已报水利厅", None), ("won", "全省唯一入围", "10000"))
    effort("green", "211223", ("submitted", "已申报", None), ("won", "入选第三批先行区创建名单", None))
    effort("agri-zone", "211224", ("submitted", "材料已报送", None))
    late = effort("prov-zone", "211224")
    # An application that has run late (demo): the coverage page and the applications list show it as overdue.
    Effort.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=3))
    return {"programmes": len(made), "efforts": Effort.objects.filter(is_demo=True).count()}
