"""The Tieling demo's campaigns (千名干部百项攻坚行动) and key projects, with a year of weekly reports.

Demo data. Real (from the 2022 report): the campaign titles, the lead unit of the property-certificate campaign,
the three named communities and their story, the key projects, investors and facts such as 500 MW / ≈31 亿元.
Invented: every number of households, debts, areas and investments month by month, the other communities, which
unit answers for what, the report texts, people and dates. The 2022 story is replayed over the year before
`now`, so the board shows a live year: month offsets from the report (e.g. "approved 2022-09") become the same
offsets from the demo's start.

Everything is written through the campaign services, as real work would be.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import Campaign, Kind, Metric, SubItem
from jingzhi.campaigns.services import common as svc_common
from jingzhi.cases.models import Case
from jingzhi.cases.services import case_dispatch
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import unit_upsert, user_upsert

# Reporting staff for the units that answer for sub-items (demo people; the shared demo password).
_REPORTERS = [
    ("bdc", "handler", "BDC", "陈静怡"), ("bdc_head", "unit_head", "BDC", "王志远"), ("h_yz", "handler", "YZ", "刘佳"),
    ("h_qh", "handler", "QH", "赵宇"), ("h_tlx", "handler", "TLX", "孙丽"), ("h_ct", "handler", "CT", "周凯"),
    ("h_dbs", "handler", "DBS", "吴敏"), ("h_ky", "handler", "KY", "郑浩"), ("h_yzkfq", "handler", "YZKFQ", "冯磊"),
    ("h_gzw", "handler", "GZW", "蒋红"), ("h_ysj", "handler", "YSJ", "韩雪"),
]

# (name, division code, unit code, households, blocked by reason 涉法/涉诉/涉抵押/历史遗留, speed)
_COMMUNITIES = [
    ("自来水公司家属楼", "211202001", "YZ", 96, (0, 0, 0, 96), 1.1),  # occupied 33 years, never registered
    ("铁岭变压器厂家属楼", "211202003", "YZ", 240, (0, 12, 30, 198), 1.0),  # built 28 years ago
    ("高新家园小区", "211204002", "QH", 612, (38, 21, 140, 0), 0.9),  # bought 2011, developer's mortgage
    ("银州花园小区", "211202002", "YZ", 388, (12, 6, 64, 20), 1.0),
    ("龙首山水城", "211202002", "YZ", 520, (20, 8, 96, 0), 0.95),
    ("清河电厂家属区", "211204001", "QH", 310, (0, 0, 0, 85), 1.05),
    ("新台子锦绣家园", "211221101", "TLX", 276, (6, 4, 48, 12), 0.9),
    ("西丰城东小区", "211223100", "XF", 198, (0, 9, 22, 30), 1.0),
    ("昌图东升嘉园", "211224100", "CT", 344, (15, 10, 70, 14), 0.8),
    ("调兵山矿工小区", "211281001", "DBS", 460, (0, 0, 18, 160), 1.0),
    ("开原古城佳苑", "211282001", "KY", 286, (8, 12, 40, 6), 0.85),
    ("开原站前新村", "211282002", "KY", 164, (0, 0, 12, 44), 1.1),
]


@dataclass
class _Ctx:
    now: datetime
    start: date
    rng: random.Random
    admin: User
    units: dict[str, Unit]
    users: dict[str, User]


def _months(start: date, n: int) -> list[date]:
    out, m = [], start.replace(day=1)
    for _ in range(n):
        out.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def _progress(week: int, *, weeks: int, speed: float, delay: float = 0.0) -> float:
    """Share done after `week` of `weeks`: a slow start, a steady middle, a careful finish (logistic curve)."""
    x = (week / weeks) * speed - delay
    return max(0.0, min(1.0, 1 / (1 + math.exp(-9 * (x - 0.45))) * 1.02 - 0.01))


def _at(d: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def _setup(now: datetime, password_hash: str) -> tuple[dict[str, Unit], dict[str, User]]:
    city = Division.objects.get(code="211200")
    zrzy = Unit.objects.filter(code="ZRZY").first()
    units = {u.code: u for u in Unit.objects.all()}
    if "BDC" not in units:  # the lead unit of the flagship: create it if a city's data lacks it
        units["BDC"] = unit_upsert(actor=None, code="BDC", name="市不动产登记中心", short_name="不动产登记中心", division=city, parent=zrzy)
    if "GZW" not in units:
        units["GZW"] = unit_upsert(actor=None, code="GZW", name="市国有资产监督管理委员会", short_name="国资委", division=city)
    users = {u.username: u for u in User.objects.filter(
        role__in=[Role.LEADER, Role.ADMIN, Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD])}
    for username, role, code, name in _REPORTERS:
        users[username] = user_upsert(actor=None, username=username, role=role, display_name=name, unit=units[code],
                                      password_hash=password_hash)
    return units, users


def _weekly_reports(ctx: _Ctx, campaign: Campaign, plan: dict[int, tuple[dict[str, float], float]],
                    narrative: Any, *, reliability: dict[str, float]) -> None:
    """File a report per unit per week from the campaign's start until last week.

    `plan`: sub-item id → ({metric: final value}, speed); growing figures follow _progress, others stay.
    Some units are late now and then, and a few weeks are missed altogether, as in real life.
    """
    items = list(SubItem.objects.filter(campaign=campaign).select_related("responsible_unit"))
    by_unit: dict[int, list[SubItem]] = {}
    for item in items:
        by_unit.setdefault(item.responsible_unit_id, []).append(item)
    first = campaign.start - timedelta(days=campaign.start.weekday())
    weeks = max(1, (campaign.deadline - campaign.start).days // 7)
    today = timezone.localtime(ctx.now).date()
    n = 0
    week = first
    # Up to last week: this week's report is still to be written, which is what the demo's reporters come to do.
    while week + timedelta(days=7) <= today - timedelta(days=today.weekday()):
        for unit_id, unit_items in by_unit.items():
            unit = unit_items[0].responsible_unit
            reporter = next((u for u in ctx.users.values() if u.unit_id == unit_id and u.role == Role.HANDLER), None)
            if reporter is None:
                continue
            roll = ctx.rng.random()
            ok = reliability.get(unit.code, 0.9)
            if roll > ok + (1 - ok) * 0.6:
                continue  # missed this week
            late = roll > ok
            submitted = _at(week + timedelta(days=4), 16) + (timedelta(days=3, hours=-6) if late else timedelta(0))
            if submitted > ctx.now:
                continue
            figures: dict[int, dict[str, object]] = {}
            statuses: dict[int, str] = {}
            for item in unit_items:
                finals, speed = plan[item.pk]
                share = _progress(n + 1, weeks=weeks, speed=speed)
                figures[item.pk] = {k: round(v * share) if k in _GROWING else round(v) for k, v in finals.items()}
                status = SubItem.Status.DONE if share >= 0.995 else SubItem.Status.IN_PROGRESS
                if status != item.status:
                    statuses[item.pk] = status
                    item.status = status
            svc.report_submit(campaign=campaign, actor=reporter, unit=unit, week=week, narrative=narrative(unit, n),
                              obstacles="", figures=figures, statuses=statuses, at=submitted)
        n += 1
        week += timedelta(days=7)


_GROWING = {"resolved", "certs", "resolved_debt", "revived", "tasks_done", "online", "evening"}


def _campaign(ctx: _Ctx, *, title: str, lead: str, unit: str, weeks_ago: int, weeks_total: int, background: str,
              goal: str, metrics: list[tuple[str, str, str]], indicators: list[dict[str, Any]], assisting: list[str] = (),  # type: ignore[assignment]
              members: list[str] = ()) -> tuple[Campaign, dict[str, Metric]]:  # type: ignore[assignment]
    today = timezone.localtime(ctx.now).date()
    start = today - timedelta(weeks=weeks_ago)
    campaign = svc.campaign_create(
        actor=ctx.admin, title=title, lead_official=ctx.users[lead], lead_unit=ctx.units[unit],
        division=Division.objects.get(code="211200"), start=start, deadline=start + timedelta(weeks=weeks_total),
        background=background, goal=goal, assisting_units=[ctx.units[u] for u in assisting],
        members=[ctx.users[m] for m in members], is_demo=True, at=_at(start, 9),
    )
    ms = {key: svc.metric_define(campaign=campaign, actor=ctx.admin, key=key, label=label, unit_of_measure=uom, order=i)
          for i, (key, label, uom) in enumerate(metrics)}
    for i, spec in enumerate(indicators):
        months = _months(start, weeks_total // 4 + 1)
        monthly = {}
        if spec.get("ramp"):
            for k, m in enumerate(months):
                share = min(1.0, (k + 1) / max(1, len(months) - 1))
                monthly[m] = round(float(spec["target"]) * (share ** spec.get("curve", 1.0)), 1)
        svc.indicator_define(
            campaign=campaign, actor=ctx.admin, name=spec["name"], computation=spec["computation"],
            numerator=ms.get(spec.get("num", "")), denominator=ms.get(spec.get("den", "")), target=spec["target"],
            unit_of_measure=spec.get("uom", ""), monthly_targets=monthly, is_primary=i == 0, order=i,
        )
    return campaign, ms


def _flagship(ctx: _Ctx) -> None:
    campaign, _ms = _campaign(
        ctx, title="已售商品房“办证难”专项攻坚", lead="leader", unit="BDC", weeks_ago=52, weeks_total=66,
        assisting=["ZY", "ZJJ", "SFJ"], members=["bdc_head"],
        background="已售商品房因开发企业欠费、土地抵押、司法查封及历史遗留问题长期无法办理首次登记和分户转移登记，"
                   "群众反映强烈。自来水公司家属楼入住33年、铁岭变压器厂家属楼建成28年仍未办证。（演示数据）",
        goal="首次登记化解率100%，分户办证率全省领先；逐个小区销号，力争提前三个月完成。",
        metrics=[("households", "总户数", "户"), ("blocked", "首次登记受阻户数", "户"), ("resolved", "已化解户数", "户"),
                 ("certs", "已分户办证户数", "户"), ("legal", "涉法", "户"), ("litigation", "涉诉", "户"),
                 ("mortgage", "涉抵押", "户"), ("history", "历史遗留", "户")],
        indicators=[
            {"name": "首次登记化解率", "computation": "ratio", "num": "resolved", "den": "blocked", "target": 100,
             "ramp": True, "curve": 1.25},
            {"name": "分户办证率", "computation": "ratio", "num": "certs", "den": "households", "target": 95, "ramp": True},
            {"name": "已销号小区", "computation": "count", "target": len(_COMMUNITIES), "uom": "个", "ramp": True,
             "curve": 2.2},
        ],
    )
    plan: dict[int, tuple[dict[str, float], float]] = {}
    for name, division, unit, households, reasons, speed in _COMMUNITIES:
        blocked = sum(reasons)
        item, _c = svc.sub_item_upsert(
            campaign=campaign, actor=ctx.admin, name=name, division=Division.objects.get(code=division),
            responsible_unit=ctx.units[unit], status=SubItem.Status.IN_PROGRESS,
            metrics={"households": households, "blocked": blocked, "resolved": 0, "certs": 0,
                     **dict(zip(("legal", "litigation", "mortgage", "history"), reasons, strict=True))},
        )
        plan[item.pk] = ({"resolved": blocked, "certs": round(households * 0.97)}, speed * 1.28)
    texts = ["入户摸底，逐户建立台账。", "协调开发企业补缴土地出让金。", "法院协助解除查封，容缺登记受理。",
             "银行解押，集中受理首次登记。", "现场办公，分户转移登记集中发证。", "对历史遗留问题一事一议，会商形成处置意见。"]
    _weekly_reports(ctx, campaign, plan, lambda unit, n: f"{unit.short_name or unit.name}：{texts[n % len(texts)]}（演示数据）",
                    reliability={"YZ": 0.97, "QH": 0.93, "TLX": 0.85, "XF": 0.9, "CT": 0.7, "DBS": 0.95, "KY": 0.8})
    milestones = [("完成全市受阻小区摸底建档", 4, True), ("涉法涉诉问题移交法院协助", 12, True),
                  ("首次登记化解率达到60%", 30, True), ("首次登记全部化解", 56, False), ("分户办证收尾、逐个小区销号", 64, False)]
    for title, week, done in milestones:
        m = svc.milestone_add(campaign=campaign, actor=ctx.admin, title=title, due=campaign.start + timedelta(weeks=week))
        if done:
            svc.milestone_complete(milestone=m, actor=ctx.admin, done_on=m.due - timedelta(days=ctx.rng.randint(0, 6)))
    # Obstacles needing the court and a bank: raised as cases, dispatched by the hotline like any other.
    items = {s.name: s for s in SubItem.objects.filter(campaign=campaign)}
    obstacles = [
        ("高新家园小区", "高新家园小区38户房产被司法查封，需法院协助解封", "开发企业涉债被查封，业主已全额付款，请求法院协助解除查封以办理首次登记。", "ZY", 20),
        ("昌图东升嘉园", "东升嘉园涉诉房产15户需司法确认", "开发企业与施工方诉讼未结，请求法院出具协助执行文书。", "ZY", 3),
        ("银州花园小区", "银州花园土地抵押未解除，需银行配合解押", "开发企业土地使用权抵押未解除，请求协调抵押权人银行办理解押。", "ZJJ", 6),
    ]
    dispatcher = ctx.users.get("dispatcher")
    for sub, title, content, unit, days_ago in obstacles:
        at = ctx.now - timedelta(days=days_ago, hours=3)
        link, _created = svc.obstacle_raise(campaign=campaign, actor=ctx.users["bdc"], sub_item=items[sub], title=title,
                                  content=content, suggested_unit=ctx.units[unit], at=at)
        if dispatcher is not None:
            case_dispatch(case=Case.objects.get(pk=link.case.pk), unit=ctx.units[unit], actor=dispatcher,
                          at=at + timedelta(hours=1))


def _other_problems(ctx: _Ctx) -> None:
    debt, _m = _campaign(
        ctx, title="国有企业债务化解", lead="leader2", unit="GZW", weeks_ago=50, weeks_total=60,
        background="部分市属国有企业历史债务沉重，影响企业正常经营和职工权益。（演示数据）",
        goal="一企一策化解存量债务，年内化解率不低于80%。",
        metrics=[("debt", "存量债务", "万元"), ("resolved_debt", "已化解债务", "万元")],
        indicators=[{"name": "债务化解率", "computation": "ratio", "num": "resolved_debt", "den": "debt", "target": 80,
                     "ramp": True},
                    {"name": "已化解债务", "computation": "sum", "num": "resolved_debt", "target": 52000, "uom": "万元"}],
    )
    plan = {}
    for name, amount, speed in (("铁岭市城建投资集团（演示）", 28000, 0.68), ("铁岭市交通投资公司（演示）", 16000, 0.62),
                                ("铁岭市粮食储备公司（演示）", 9000, 0.9), ("铁岭热电公司（演示）", 12000, 0.6)):
        item, _c = svc.sub_item_upsert(campaign=debt, actor=ctx.admin, name=name, division=Division.objects.get(code="211200"),
                                       responsible_unit=ctx.units["GZW"], status=SubItem.Status.IN_PROGRESS,
                                       metrics={"debt": amount, "resolved_debt": 0})
        plan[item.pk] = ({"resolved_debt": amount * 0.85}, speed)
    _weekly_reports(ctx, debt, plan, lambda unit, n: "与债权人逐户谈判，推进债务重组和资产处置。（演示数据）",
                    reliability={"GZW": 0.9})

    idle, _m = _campaign(
        ctx, title="园区闲置资产盘活", lead="leader4", unit="YZKFQ", weeks_ago=44, weeks_total=56,
        background="园区内停产企业厂房、土地长期闲置。（演示数据）", goal="盘活闲置厂房和土地面积70%以上。",
        metrics=[("area", "闲置面积", "万㎡"), ("revived", "已盘活面积", "万㎡")],
        indicators=[{"name": "闲置资产盘活率", "computation": "ratio", "num": "revived", "den": "area", "target": 70,
                     "ramp": True}],
    )
    plan = {}
    for name, division, unit, area, speed in (("银州经济开发区闲置厂房", "211202", "YZKFQ", 18, 0.55),
                                             ("清河经济开发区闲置用地", "211204", "QH", 26, 0.5),
                                             ("调兵山工业园区闲置厂房", "211281", "DBS", 12, 0.6)):
        item, _c = svc.sub_item_upsert(campaign=idle, actor=ctx.admin, name=name, division=Division.objects.get(code=division),
                                       responsible_unit=ctx.units[unit], status=SubItem.Status.IN_PROGRESS,
                                       metrics={"area": area, "revived": 0})
        plan[item.pk] = ({"revived": area * 0.8}, speed)
    _weekly_reports(ctx, idle, plan, lambda unit, n: "对接意向企业，推进厂房租赁和土地收储。（演示数据）",
                    reliability={"YZKFQ": 0.8, "QH": 0.75, "DBS": 0.9})

    reform, _m = _campaign(
        ctx, title="开发区管理体制改革", lead="leader", unit="YSJ", weeks_ago=40, weeks_total=48,
        background="开发区管理机构臃肿、职能交叉。（演示数据）", goal="完成“管委会+公司”改革，全部改革任务按期完成。",
        metrics=[("tasks", "改革任务", "项"), ("tasks_done", "已完成任务", "项")],
        indicators=[{"name": "改革任务完成率", "computation": "ratio", "num": "tasks_done", "den": "tasks", "target": 100,
                     "ramp": True}],
    )
    plan = {}
    for name, division, unit, tasks in (("银州经济开发区", "211202", "YZKFQ", 14), ("清河经济开发区", "211204", "QH", 12),
                                        ("铁岭县经济开发区", "211221", "TLX", 10), ("调兵山经济开发区", "211281", "DBS", 9)):
        item, _c = svc.sub_item_upsert(campaign=reform, actor=ctx.admin, name=name, division=Division.objects.get(code=division),
                                       responsible_unit=ctx.units[unit], status=SubItem.Status.IN_PROGRESS,
                                       metrics={"tasks": tasks, "tasks_done": 0})
        plan[item.pk] = ({"tasks_done": tasks}, 1.2)
    _weekly_reports(ctx, reform, plan, lambda unit, n: "推进机构整合、人员竞聘上岗和薪酬制度改革。（演示数据）",
                    reliability={"YZKFQ": 0.95, "QH": 0.95, "TLX": 0.9, "DBS": 0.95})

    service, _m = _campaign(
        ctx, title="公共服务质量提升", lead="leader3", unit="YSJ", weeks_ago=36, weeks_total=52,
        background="政务服务“只进一扇门”“最多跑一次”仍有差距。（演示数据）", goal="政务服务事项网上可办率达到90%，延时服务常态化。",
        metrics=[("items", "政务服务事项", "项"), ("online", "网上可办事项", "项"), ("evening", "延时服务人次", "人次")],
        indicators=[{"name": "网上可办率", "computation": "ratio", "num": "online", "den": "items", "target": 90, "ramp": True},
                    {"name": "延时服务人次", "computation": "sum", "num": "evening", "target": 12000, "uom": "人次"}],
    )
    plan = {}
    for code, unit in (("211202", "YZ"), ("211204", "QH"), ("211221", "TLX"), ("211223", "XF"), ("211224", "CT"),
                       ("211281", "DBS"), ("211282", "KY")):
        county = Division.objects.get(code=code)
        item, _c = svc.sub_item_upsert(campaign=service, actor=ctx.admin, name=f"{county.name}政务服务中心", division=county,
                                       responsible_unit=ctx.units[unit], status=SubItem.Status.IN_PROGRESS,
                                       metrics={"items": 420, "online": 180, "evening": 0})
        plan[item.pk] = ({"items": 420, "online": 180 + 190 * ctx.rng.uniform(0.8, 1.0), "evening": 1800}, 0.85)
    _weekly_reports(ctx, service, plan, lambda unit, n: "梳理事项清单，推进“一网通办”，延时服务窗口正常运行。（演示数据）",
                    reliability={"YZ": 0.95, "QH": 0.9, "TLX": 0.85, "XF": 0.92, "CT": 0.7, "DBS": 0.95, "KY": 0.8})


# (title, investor, county, lead unit, lead official, total 万元, {stage: month offset}, planned stages)
_PROJECTS = [
    ("国家电投清河发电风光火储多能互补示范项目一期（500MW风电）", "国家电投集团清河发电有限责任公司", "211204", "QH", "leader2",
     310000, {"signed": 0, "land": 4, "approved": 8}, {"started": 12}),
    ("中国梅花鹿（西丰）现代农业产业园一期", "西丰县梅花鹿产业发展有限公司（演示）", "211223", "XF", "leader_xf", 52000,
     {"signed": 0, "land": 3, "approved": 6, "started": 8}, {"in_production": 16}),
    ("越秀辉山乳业万和牧场", "越秀辉山乳业", "211223", "XF", "leader3", 68000,
     {"signed": 0, "land": 1, "approved": 3, "started": 4, "in_production": 9}, {}),
    ("兴东科技年产30万吨生物机械浆项目", "辽宁兴东科技有限公司", "211221", "TLX", "leader2", 120000,
     {"signed": 0, "land": 2, "approved": 5}, {"started": 9}),
    ("中恒钢结构项目", "中恒钢结构（演示）", "211281", "DBS", "leader4", 35000,
     {"signed": 0, "land": 2, "approved": 4, "started": 6}, {"in_production": 14}),
    ("储能制氢一体化项目", "辽洽会签约企业（演示）", "211202", "YZ", "leader", 86000, {"signed": 10}, {"land": 13}),
    ("水陆两栖电动飞机测试基地项目", "辽洽会签约企业（演示）", "211282", "KY", "leader4", 45000, {"signed": 10}, {"land": 14}),
]


def _projects(ctx: _Ctx) -> None:
    for title, investor, county, unit, lead, total, reached, planned in _PROJECTS:
        campaign = svc.campaign_create(
            actor=ctx.admin, kind=Kind.KEY_PROJECT, title=title, investor=investor, total_investment=total,
            lead_official=ctx.users[lead], lead_unit=ctx.units[unit], division=Division.objects.get(code=county),
            start=ctx.start, deadline=ctx.start + timedelta(days=730), is_demo=True, at=_at(ctx.start, 9),
            goal="按期开工、按期投产（演示数据）",
        )
        months = _months(ctx.start, 13)
        for stage, offset in reached.items():
            svc.project_stage_set(campaign=campaign, actor=ctx.admin, stage=stage, reached_on=months[offset] + timedelta(days=9),
                                  planned_on=months[offset] + timedelta(days=ctx.rng.choice([0, 9, 20])))
        for stage, offset in planned.items():
            planned_on = _months(ctx.start, offset + 1)[offset] + timedelta(days=14)
            svc.project_stage_set(campaign=campaign, actor=ctx.admin, stage=stage, planned_on=planned_on)
        if title.startswith("国家电投"):  # a problem needing another department, raised as a case
            at = ctx.now - timedelta(days=9, hours=2)
            link, _created = svc.obstacle_raise(campaign=campaign, actor=ctx.users[lead], title="风电场集电线路用地预审需加快办理",
                                      content="一期500MW风电项目集电线路及升压站用地预审材料已报送，需自然资源部门加快审查。",
                                      suggested_unit=ctx.units["ZRZY"], at=at)
            if "dispatcher" in ctx.users:
                case_dispatch(case=Case.objects.get(pk=link.case.pk), unit=ctx.units["ZRZY"], actor=ctx.users["dispatcher"],
                              at=at + timedelta(hours=1))
        started = reached.get("approved", reached.get("signed", 0))
        per_month = Decimal(total) / 24
        pace = Decimal(str(ctx.rng.uniform(0.85, 1.15)))
        for k, month in enumerate(months):
            if month > timezone.localtime(ctx.now).date() or k < started:
                continue
            svc.project_investment_set(campaign=campaign, actor=ctx.admin, month=month, planned=round(per_month),
                                       completed=round(per_month * pace * Decimal(str(ctx.rng.uniform(0.8, 1.2)))))


def load_campaign_demo(*, now: datetime, seed: int = 2022) -> int:
    """Load the demo campaigns and key projects (after the demo organisation). Returns how many were created."""
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    operator = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    if admin is None or operator is None:
        return 0
    units, users = _setup(now, operator.password)
    users[admin.username] = admin
    ctx = _Ctx(now=now, start=timezone.localtime(now).date() - timedelta(days=365), rng=random.Random(seed), admin=admin,
               units=units, users=users)
    with svc_common.visibility_memo():  # a year of weekly reports: the rule is asked once per reporter and campaign
        _flagship(ctx)
        _other_problems(ctx)
        _projects(ctx)
    return Campaign.objects.count()
