"""The Tieling demo's early warning: 险工险段 along the 辽河, 清河 and 寇河 with their 包保 officials, warning rules,
seasonal expectations, and the shipped heavy-rain CAP message for 西丰县 and 清河区 replayed 40 minutes ago,
its tasks partly acknowledged (some officials on site, one report in, the silent ones escalated).

Demo data, invented: the sites' positions are approximate, the township officials and all names are made up.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from importlib import resources

from jingzhi.earlywarning import services, taskflow
from jingzhi.earlywarning.models import InspectionTask, SeasonalRule
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import user_upsert

DEMO_CAP = "demo-heavy-rain.xml"

# username, name, role, division code: the township and county officials the demo city lacks.
OFFICIALS = [
    ("xf_xfz", "曲永强", Role.LEADER, "211223100"), ("xf_pg", "姜红梅", Role.LEADER, "211223101"),
    ("xf_gjd", "鲍立军", Role.LEADER, "211223102"), ("qh_county", "邹文博", Role.LEADER, "211204"),
    ("qh_zx", "褚德胜", Role.LEADER, "211204101"), ("qh_xy", "卫晓燕", Role.LEADER, "211204002"),
    ("qh_hq", "蒋海波", Role.LEADER, "211204001"),
]

# code, name, type, division, lat, lon, risk, emergency unit, [(official, level)]
SITES = [
    ("XF-LV-01", "寇河西丰段险工险段", "levee", "211223100", 42.738, 124.727, "high", "SLJ",
     [("xf_xfz", "township"), ("leader_xf", "county"), ("leader3", "city")]),
    ("XF-LV-02", "寇河平岗段险工险段", "levee", "211223101", 42.702, 124.598, "high", "SLJ",
     [("xf_pg", "township"), ("leader_xf", "county"), ("leader3", "city")]),
    ("XF-RS-01", "郜家店小型水库", "reservoir", "211223102", 42.651, 124.812, "medium", "SLJ",
     [("xf_gjd", "township"), ("leader_xf", "county")]),
    ("XF-LV-03", "远景社区低洼地", "low_village", "211223100034", 42.761, 124.701, "medium", "XF",
     [("xf_xfz", "township"), ("leader_xf", "county")]),
    ("XF-GH-01", "平岗村后山滑坡隐患点", "geohazard", "211223101201", 42.711, 124.574, "medium", "ZRZY",
     [("xf_pg", "township"), ("leader_xf", "county")]),
    ("QH-RS-01", "清河水库大坝", "reservoir", "211204002002", 42.548, 124.176, "high", "SLJ",
     [("qh_xy", "township"), ("qh_county", "county"), ("leader2", "city")]),
    ("QH-LV-01", "清河张相镇段险工险段", "levee", "211204101", 42.531, 124.102, "high", "SLJ",
     [("qh_zx", "township"), ("qh_county", "county"), ("leader2", "city")]),
    ("QH-LV-02", "清河红旗街道段护岸", "levee", "211204001", 42.541, 124.150, "medium", "QH",
     [("qh_hq", "township"), ("qh_county", "county")]),
    ("QH-OB-01", "电厂社区老旧住宅楼", "old_building", "211204001001", 42.545, 124.158, "medium", "QH",
     [("qh_hq", "township"), ("qh_county", "county")]),
    ("LH-KY-01", "辽河开原段险工险段", "levee", "211282", 42.545, 123.902, "high", "SLJ", [("leader4", "city")]),
    ("LH-TL-01", "凡河险工险段", "levee", "211221", 42.223, 123.735, "high", "SLJ", [("leader2", "city")]),
    ("LH-CT-01", "辽河昌图段险工险段", "levee", "211224", 42.786, 123.912, "high", "SLJ", [("leader3", "city")]),
]

RULES = [
    # warning type, level, site type, ack minutes, on site minutes, checklist
    ("heavy_rain", "red", "", 10, 120, ["到岗到位，现场值守", "检查堤防渗漏、管涌、裂缝", "危险区群众转移到位", "每2小时报告一次"]),
    ("heavy_rain", "orange", "", 10, 240, ["到岗到位", "检查堤防和排水设施", "核实危险区人员名单，做好转移准备"]),
    ("heavy_rain", "orange", "reservoir", 10, 120, ["检查大坝、溢洪道和泄洪设施", "核对库水位，按调度令泄洪", "下游群众转移准备"]),
    ("heavy_rain", "yellow", "", 10, 480, ["巡查隐患点", "准备防汛物资"]),
    ("heavy_rain", "blue", "", 30, 1440, ["关注雨情，做好巡查准备"]),
    ("flood", "red", "", 10, 60, ["立即到岗", "组织危险区群众转移", "每小时报告一次"]),
    ("geohazard", "orange", "geohazard", 10, 120, ["巡查隐患点变形迹象", "撤离受威胁群众"]),
]

SEASONS = [("供暖季投诉高发（11月1日起）", 11, 1, 30, "RLGS", "检修管网、开通热线专席、排查上年度投诉小区"),
           ("主汛期（7—8月）", 7, 1, 30, "SLJ", "汛前检查险工险段和水库，落实包保责任人，储备防汛物资")]


def demo_cap_bytes(*, sent: datetime) -> bytes:
    """The shipped CAP message with its times moved to `sent` (so a replay is always a warning in force)."""
    text = resources.files("jingzhi.earlywarning").joinpath("data", DEMO_CAP).read_text(encoding="utf-8")
    stamp = sent.isoformat(timespec="seconds")
    text = re.sub(r"<(sent|effective)>[^<]+<", lambda m: f"<{m.group(1)}>{stamp}<", text)
    text = re.sub(r"<expires>[^<]+<", f"<expires>{(sent + timedelta(days=1)).isoformat(timespec='seconds')}<", text)
    return text.encode("utf-8")


def load_warning_demo(*, now: datetime) -> int:
    """Sites, officials, rules, seasons, and the replayed warning. Returns the number of tasks delivered."""
    template = User.objects.filter(username="leader").first()
    if template is None or not Division.objects.filter(code="211223").exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in={o for s in SITES for o, _lvl in s[8]})}
    for username, name, role, code in OFFICIALS:
        users[username] = user_upsert(actor=None, username=username, role=role, display_name=name,
                                      division=Division.objects.get(code=code), password_hash=template.password,
                                      phone=f"1390411{len(users):04d}")
    units = {u.code: u for u in Unit.objects.filter(code__in={s[7] for s in SITES} | {s[4] for s in SEASONS})}
    divisions = {d.code: d for d in Division.objects.filter(code__in={s[3] for s in SITES})}
    for code, name, kind, division, lat, lon, risk, unit, officials in SITES:
        site = services.site_upsert(actor=None, code=code, name=name, site_type=kind, division=divisions[division],
                                    address=f"{divisions[division].name}{name}", latitude=lat, longitude=lon,
                                    risk_level=risk, emergency_unit=units.get(unit))
        for username, level in officials:
            services.site_assign_official(actor=None, site=site, official=users[username], level=level, note="防汛包保")
    for kind, level, site_type, ack, onsite, checklist in RULES:
        services.rule_set(actor=None, warning_type=kind, level=level, site_type=site_type, ack_minutes=ack,
                          onsite_minutes=onsite, checklist=checklist)
    for name, month, day, lead, unit, what in SEASONS:
        SeasonalRule.objects.get_or_create(name=name, defaults={"start_month": month, "start_day": day, "lead_days": lead,
                                                                "unit": units[unit], "instructions": what})
    sent = now - timedelta(minutes=40)
    outcome = services.warning_import_cap(actor=None, data=demo_cap_bytes(sent=sent), now=sent)
    # Partly acknowledged: the township officials answered within minutes, two went on site, one reported back.
    tasks = {(t.site.code, t.official.username): t for t in
             InspectionTask.objects.filter(warning=outcome.warning).select_related("site", "official")}
    steps = [("XF-LV-01", "xf_xfz", "report"), ("XF-LV-02", "xf_pg", "on_site"), ("QH-RS-01", "qh_xy", "on_the_way"),
             ("QH-LV-01", "qh_zx", "ack"), ("XF-LV-01", "leader_xf", "ack"), ("QH-RS-01", "qh_county", "ack"),
             ("XF-RS-01", "xf_gjd", "ack")]
    for minute, (code, username, step) in enumerate(steps, start=3):
        task = tasks.get((code, username))
        if task is None:
            continue
        at = sent + timedelta(minutes=minute)
        taskflow.task_acknowledge(actor=task.official, task_id=task.pk, channel="voice", now=at)
        if step in ("on_the_way", "on_site", "report"):
            taskflow.task_progress(actor=task.official, task_id=task.pk, to="on_the_way", now=at + timedelta(minutes=2))
        if step in ("on_site", "report"):
            taskflow.task_progress(actor=task.official, task_id=task.pk, to="on_site", now=at + timedelta(minutes=25))
        if step == "report":
            taskflow.task_report(actor=task.official, task_id=task.pk, now=at + timedelta(minutes=32), report=taskflow.Report(
                situation="堤防无渗漏，河道水位上涨约0.5米，已安排专人值守。", people_moved=12,
                hazard="K3+200处堤脚出现轻微冲刷，需抛石加固。"))
    taskflow.escalate_overdue(now=now)
    return outcome.created
