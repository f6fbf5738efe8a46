"""The Tieling demo's enterprise service: the enterprises the 2022 report names, generated ones up to its counts
(305 科技型中小企业, 135 高新技术企业, 50 雏鹰, 27 瞪羚), 包保 officials, the 银州经济开发区 专班, visits and needs —
among them the raw-material truck met at the motorway exit. Every generated row is marked as demo data.

Invented: the generated names and credit codes, the people, the figures and the texts beyond the report's story.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from jingzhi.cases import services as cs
from jingzhi.core.validators import credit_code_check_char
from jingzhi.enterprises.models import TaskForce, Visit
from jingzhi.enterprises.services.needs import need_submit
from jingzhi.enterprises.services.taskforces import task_force_save
from jingzhi.org.models import Division, Enterprise, EnterpriseFigures, EnterpriseTag, Role, Unit, User
from jingzhi.org.services import responsibility_assign, user_upsert

T = EnterpriseTag.Tag
# The enterprises of the report (already in the city's facts): industry, size, employees, tags.
NAMED: dict[str, tuple[str, str, int, list[str]]] = {
    "莱尼线束系统(铁岭)有限公司": ("C3670", "large", 2600, [T.KEY, T.ABOVE_SCALE]),
    "铁岭风景文具有限公司": ("C2411", "medium", 380, [T.ABOVE_SCALE]),
    "辽宁兴东科技有限公司": ("C2221", "medium", 420, [T.SPECIALISED, T.LITTLE_GIANT, T.HIGH_TECH, T.ABOVE_SCALE, T.KEY]),
    "铁岭贵鑫环保科技股份有限公司": ("N7721", "small", 160, [T.SPECIALISED, T.HIGH_TECH, T.TECH_SME]),
    "铁岭卡斯特金属材料有限公司": ("C3240", "small", 120, [T.ABOVE_SCALE]),
    "铁岭橡胶工业研究设计院": ("M7320", "small", 90, [T.HIGH_TECH, T.TECH_SME]),
}
WORDS = ["鑫源", "华泰", "北方", "辽北", "银河", "金达", "凡河", "龙首", "柴河", "新元", "恒信", "东盛", "宏远", "博瑞",
         "嘉禾", "中科", "瑞丰", "安达", "长青", "盛世"]
TRADES = [("科技", "I6513"), ("智能装备", "C3491"), ("新材料", "C2659"), ("生物科技", "C2761"), ("环保科技", "N7721"),
          ("机械制造", "C3419"), ("电子", "C3982"), ("软件", "I6511"), ("农业科技", "A0511"), ("阀门", "C3443")]
COUNTIES = ["211202", "211204", "211221", "211223", "211224", "211281", "211282"]


def _credit_code(division: str, n: int) -> str:
    first17 = f"91{division}MA{n:07d}"[:17]
    return first17 + credit_code_check_char(first17)


# The report's counts are the city's: the named enterprises' own tags count towards them.
REPORT_COUNTS: dict[str, int] = {T.TECH_SME: 305, T.HIGH_TECH: 135, T.EAGLET: 50, T.GAZELLE: 27}


def _still_to_generate(tag: str) -> int:
    return REPORT_COUNTS[tag] - sum(tag in tags for *_rest, tags in NAMED.values())


def _generate(rng: random.Random, divisions: dict[str, Division]) -> list[Enterprise]:
    """Technology SMEs up to the report's 305, of them high-tech up to 135, 50 eaglets, 27 gazelles."""
    rows, names = [], set()
    high_tech, eaglets, gazelles = (_still_to_generate(t) for t in (T.HIGH_TECH, T.EAGLET, T.GAZELLE))
    for i in range(_still_to_generate(T.TECH_SME)):
        while True:
            name = f"铁岭{rng.choice(WORDS)}{rng.choice(WORDS)}{TRADES[i % len(TRADES)][0]}有限公司"
            if name not in names:
                names.add(name)
                break
        county = COUNTIES[i % len(COUNTIES)] if i % 3 else "211202"
        rows.append(Enterprise(name=name, credit_code=_credit_code(county, 100 + i), division=divisions[county],
                               industry=TRADES[i % len(TRADES)][1], size=rng.choice(["small", "micro", "medium"]),
                               employees=rng.randint(8, 400), address=f"{divisions[county].name}工业园区",
                               legal_representative=rng.choice("王李张刘陈杨赵黄周吴") + "总", is_demo=True))
    created = Enterprise.objects.bulk_create(rows)
    tags = [EnterpriseTag(enterprise=e, tag=T.TECH_SME) for e in created]
    tags += [EnterpriseTag(enterprise=e, tag=T.HIGH_TECH) for e in created[:high_tech]]
    tags += [EnterpriseTag(enterprise=e, tag=T.EAGLET) for e in created[high_tech:high_tech + eaglets]]
    tags += [EnterpriseTag(enterprise=e, tag=T.GAZELLE) for e in created[high_tech + eaglets:high_tech + eaglets + gazelles]]
    tags += [EnterpriseTag(enterprise=e, tag=T.SPECIALISED) for e in created[:40]]
    EnterpriseTag.objects.bulk_create(tags)
    return created


def _figures(rng: random.Random, enterprises: list[Enterprise], year: int) -> None:
    rows = []
    for e in enterprises:
        output = Decimal(rng.randint(300, 60000))
        for y in (year - 2, year - 1):
            rows.append(EnterpriseFigures(enterprise=e, year=y, output=output, tax=(output * Decimal("0.05")).quantize(Decimal(1)),
                                          rd_spend=(output * Decimal(rng.randint(1, 8)) / 100).quantize(Decimal(1)),
                                          employees=e.employees))
            output = (output * Decimal(rng.uniform(0.9, 1.3))).quantize(Decimal(1))
    EnterpriseFigures.objects.bulk_create(rows)


def load_enterprise_demo(*, now: datetime, seed: int = 2022) -> dict[str, int]:
    """Load the enterprise-service demo into a demo city whose organisation is loaded (demo/loader.py)."""
    rng = random.Random(seed)
    divisions = {d.code: d for d in Division.objects.filter(code__in=COUNTIES)}
    units = {u.code: u for u in Unit.objects.filter(code__in=["GXJ", "YZKFQ", "SWJ", "RSJ", "JTJ", "YSJ"])}
    password = User.objects.get(username="operator").password  # the demo's one shared password hash
    people = {}
    for username, name, role, unit in (("bb_gxj", "孙包保", Role.UNIT_HEAD, "GXJ"), ("bb_kfq", "周包保", Role.UNIT_HEAD, "YZKFQ"),
                                       ("h_kfq", "开发区专员", Role.HANDLER, "YZKFQ"), ("h_ysj", "营商专员", Role.HANDLER, "YSJ")):
        people[username] = user_upsert(actor=None, username=username, role=role, display_name=name, unit=units[unit],
                                       password_hash=password)
    named = list(Enterprise.objects.filter(name__in=NAMED))
    for e in named:
        e.industry, e.size, e.employees, _tags = NAMED[e.name]
        e.save(update_fields=["industry", "size", "employees"])
        EnterpriseTag.objects.bulk_create([EnterpriseTag(enterprise=e, tag=t) for t in _tags])
    leni = next(e for e in named if e.name.startswith("莱尼"))
    people["qiye_leni"] = user_upsert(actor=None, username="qiye_leni", role=Role.ENTERPRISE, display_name="莱尼联络员",
                                      enterprise=leni, division=leni.division, password_hash=password)
    generated = _generate(rng, divisions)
    _figures(rng, named + generated, timezone.localdate(now).year)
    for e in named:
        responsibility_assign(actor=None, official=people["bb_kfq"] if e.division.code == "211202" else people["bb_gxj"],
                              enterprise=e, note="包保企业（示范数据）")
    zone = [e for e in named + generated if e.division.code == "211202"][:60]
    leader = User.objects.get(username="leader")
    members = [people["bb_kfq"], people["h_kfq"], people["h_ysj"], *User.objects.filter(username__in=["h_swj", "h_rsj", "h_jtj"])]
    task_force_save(actor=None, task_force=None, name="银州经济开发区企业服务专班", park="银州经济开发区", leader=leader,
                    meets_on=TaskForce.Weekday.MONDAY, visit_every_days=30, members=members, enterprises=zone, is_demo=True)
    visits = _visits(rng, now, zone, members)
    needs = _needs(rng, now, named, zone, people)
    return {"enterprises": len(named) + len(generated), "visits": visits, "needs": needs}


def _visits(rng: random.Random, now: datetime, zone: list[Enterprise], members: list[User]) -> int:
    today = timezone.localdate(now)
    asks = ["用工缺口，希望组织专场招聘", "用电增容", "原材料运输受阻", "申报高新技术企业", "厂区门前道路破损", "融资需求"]
    rows = [Visit(enterprise=e, visited_on=today - timedelta(days=rng.randint(1, 80)), visitor=rng.choice(members),
                  met="企业负责人", asked=rng.choice(asks), created_at=now) for e in zone[:40]]
    Visit.objects.bulk_create(rows)
    return len(rows)


def _needs(rng: random.Random, now: datetime, named: list[Enterprise], zone: list[Enterprise], people: dict[str, User]) -> int:
    """The report's two stories, a promise from a visit, and needs in every state."""
    operator = User.objects.get(username="operator")
    dispatcher = User.objects.get(username="dispatcher")
    kfq = Unit.objects.get(code="YZKFQ")
    by_name = {e.name: e for e in named}
    handled = 0

    def play(need: object, at: datetime, reply: str, steps: int) -> None:
        case = need.case  # type: ignore[attr-defined]
        if steps >= 1:
            case = cs.case_dispatch(case=case, unit=kfq, actor=dispatcher, at=at + timedelta(minutes=20))
        if steps >= 2:
            case = cs.case_acknowledge(case=case, actor=people["h_kfq"], at=at + timedelta(minutes=45))
        if steps >= 3:
            case = cs.case_reply(case=case, actor=people["h_kfq"], reply=reply, at=at + timedelta(days=1, hours=2))

    stories = [
        ("铁岭风景文具有限公司", 40, "原料车被拦在高速出口，无法进厂", "封控期间，公司从外地采购的原材料运输车辆到达高速出口后无法通行，生产线即将停工。",
         "银州经济开发区管委会派专人到高速出口接车，全程护送原料车进厂，企业当天恢复生产。", 3),
        ("莱尼线束系统(铁岭)有限公司", 38, "封控期间保障为宝马配套的线束生产", "企业为宝马供应线束，封控期间员工通勤和物流受阻，请求协调保障生产。",
         "工作专班驻厂服务，协调员工闭环通勤和物流通行证，企业持续生产、按期供货。", 3),
        ("辽宁兴东科技有限公司", 3, "生物机械浆项目环评手续咨询", "年产30万吨生物机械浆项目需要办理环评手续，请告知流程和时限。", "", 2),
        ("铁岭卡斯特金属材料有限公司", 1, "厂区用电增容", "新生产线投产需要用电增容，请协调供电部门。", "", 1),
    ]
    for name, days, title, content, reply, steps in stories:
        at = now - timedelta(days=days)
        need, _ = need_submit(actor=operator, enterprise=by_name[name], title=title, content=content, channel="direct",
                              contact_name="企业联络员", contact_phone="13904100000", received_at=at,
                              idempotency_key=f"demo-enterprise-{name}")
        play(need, at, reply, steps)
        handled += 1
    for i, e in enumerate(zone[6:30]):
        at = now - timedelta(days=rng.uniform(0.2, 20))
        need, _ = need_submit(actor=operator, enterprise=e, title=rng.choice(["招工难，请协助对接人社部门", "申请技改补贴咨询",
                              "厂区周边道路需要维修", "办理排污许可证遇到问题"]), content="企业反映的需求（示范数据）。",
                              channel=rng.choice(["desk", "direct"]), contact_phone="13904100000", received_at=at,
                              idempotency_key=f"demo-enterprise-gen-{i}")
        play(need, at, "已与企业对接，问题已解决（示范数据）。", rng.choice([0, 1, 2, 3]))
        handled += 1
    return handled


