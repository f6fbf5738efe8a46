"""The Tieling demo's dispute register: police stations with screened disputes of the four types the 2022
report names (family, neighbour, doctor–patient, labour), the 政法委 over them, and their officers.

Demo data, invented: the people, phone numbers, places and stories. Everything goes through the services, with
past times, so the register's figures, flags and escalations come out of the rules, not out of this file.
Deterministic (a seeded random generator); a few hundred rows, well under a second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from jingzhi.cases.models import Case
from jingzhi.cases.services import case_create
from jingzhi.disputes.models import Dispute, Risk, Source
from jingzhi.disputes.services import (
    PartyInput,
    dispute_end,
    dispute_from_case,
    dispute_register,
    dispute_step_add,
    visit_record,
)
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import unit_upsert, user_upsert

# The 政法委 the demo adds beside the police stations of tieling.json: the city's and two counties'.
COMMITTEES = [("ZFW", "中共铁岭市委政法委员会", "市委政法委", "211200"),
              ("ZFW_XF", "中共西丰县委政法委员会", "西丰县委政法委", "211223"),
              ("ZFW_QH", "中共清河区委政法委员会", "清河区委政法委", "211204")]
# username, role, name, unit code (the demo password is every demo user's)
PEOPLE = [("pcs_xf", Role.HANDLER, "刘明辉", "PCS_XF"), ("pcs_xf_head", Role.UNIT_HEAD, "陈志强", "PCS_XF"),
          ("pcs_qh", Role.HANDLER, "杜晓峰", "PCS_QH"), ("pcs_qh_head", Role.UNIT_HEAD, "宋建华", "PCS_QH"),
          ("pcs_yz", Role.HANDLER, "邵文博", "PCS_YZ"), ("pcs_yz_head", Role.UNIT_HEAD, "田立军", "PCS_YZ"),
          ("pcs_dbs", Role.HANDLER, "曹振宇", "PCS_DBS"), ("pcs_dbs_head", Role.UNIT_HEAD, "蒋海波", "PCS_DBS"),
          ("zfw", Role.HANDLER, "秦雅琴", "ZFW"), ("zfw_xf", Role.HANDLER, "褚国栋", "ZFW_XF"),
          ("zfw_qh", Role.HANDLER, "魏淑华", "ZFW_QH")]
STORIES = {
    "family": [("夫妻因子女抚养问题多次争吵", "双方因孩子上学和抚养费问题争吵，女方称男方酒后摔东西。"),
               ("兄弟因老人赡养费分摊发生纠纷", "兄弟三人对父母赡养费分摊有分歧，老人多次报警。"),
               ("婆媳矛盾激化，一方扬言离家", "婆媳因家务和房屋使用长期不和，近期矛盾升级。")],
    "neighbour": [("楼上漏水损坏楼下装修", "楼上卫生间漏水，楼下吊顶损坏，双方就赔偿金额争执不下。"),
                  ("邻居占用公共楼道堆放杂物", "邻居长期在楼道堆放杂物，多次协商未果，发生推搡。"),
                  ("宅基地边界墙引发邻里纠纷", "两户因院墙位置争执，一方拆除部分院墙。"),
                  ("装修噪音扰民引发争吵", "邻居夜间装修噪音大，双方在楼道发生口角。")],
    "medical": [("患者家属对手术结果不满聚集医院", "患者术后感染，家属认为医院有过错，要求赔偿并在门诊聚集。"),
                ("就诊排队引发医患冲突", "患者家属因排队时间长与护士发生争执，推搡护士。"),
                ("对死亡原因有异议拒绝移尸", "老人住院期间去世，家属对死亡原因有异议，拒绝将遗体移出病房。")],
    "labour": [("建筑工地拖欠农民工工资", "某工地拖欠二十余名农民工工资约三十万元，工人到项目部讨薪。"),
               ("餐饮店辞退员工未付补偿", "员工被辞退后要求经济补偿，店主拒绝，双方在店内争吵。"),
               ("工伤赔偿协商不成", "工人在厂内受伤，对赔偿金额与企业协商不成，扬言上访。")],
    "land": [("承包地流转费用纠纷", "村民与合作社就土地流转费用支付时间发生纠纷。")],
    "property": [("业主拒交物业费与物业公司冲突", "业主认为物业服务差拒交物业费，物业停止其门禁卡。")],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰建国志强海燕红梅晓东立新春生"
STATIONS = [("PCS_XF", "211223", 14), ("PCS_QH", "211204", 12), ("PCS_YZ", "211202", 10), ("PCS_DBS", "211281", 6)]
TYPES = ["family", "neighbour", "medical", "labour", "family", "neighbour", "labour", "land", "property"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _people(password_hash: str) -> dict[str, User]:
    for code, name, short, division in COMMITTEES:
        unit_upsert(actor=None, code=code, name=name, short_name=short, kind=Unit.Kind.POLITICAL_LEGAL,
                    division=Division.objects.get(code=division))
    users = {}
    for username, role, name, unit_code in PEOPLE:
        unit = Unit.objects.get(code=unit_code)
        users[username] = user_upsert(actor=None, username=username, role=role, display_name=name, unit=unit,
                                      division=unit.division, password_hash=password_hash)
    return users


def load_dispute_demo(*, now: datetime) -> list[Dispute]:
    """The demo's register: about forty disputes over six months, with steps, visits, a repeat party and a case."""
    operator = User.objects.get(username="operator")
    users = _people(operator.password)
    rng = random.Random(20221216)
    plans: list[tuple[datetime, Unit, Division, str]] = []
    for code, division_code, count in STATIONS:
        station = Unit.objects.get(code=code)
        # Counties and townships only: the demo ships every township, while communities beyond its shipped few
        # exist only when the whole tree was imported (npm ci) — the demo comes out the same either way.
        places = list(Division.objects.filter(path__startswith=Division.objects.get(code=division_code).path,
                                              level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP]).order_by("path"))
        for i in range(count):
            days_ago = rng.uniform(2, 180) if i else rng.uniform(0.5, 3)
            plans.append((now - timedelta(days=days_ago), station, rng.choice(places), TYPES[(i + len(plans)) % len(TYPES)]))
    plans.sort(key=lambda p: p[0])
    made: list[Dispute] = []
    repeat_phone = "13904101234"  # one family is screened three times: the repeat-party flag and a recurrence
    for n, (screened, station, division, kind) in enumerate(plans):
        officer = users[f"pcs_{station.code[4:].lower()}"]
        chief = users[f"pcs_{station.code[4:].lower()}_head"]
        title, story = rng.choice(STORIES[kind])
        repeat = kind == "family" and station.code == "PCS_XF"
        parties = [PartyInput(name="韩桂兰" if repeat else _name(rng), phone=repeat_phone if repeat else f"139041{n:05d}"),
                   PartyInput(name=_name(rng), phone=f"137041{n:05d}")]
        risk = rng.choices([Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.VIOLENT], weights=[50, 30, 15, 5])[0]
        dispute, _new = dispute_register(
            actor=officer, type=kind, summary=title, description=story, division=division, station=station,
            parties=parties, risk=risk, place=f"{division.name}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元",
            source=rng.choice([Source.SCREENING, Source.SCREENING, Source.GRID, Source.PETITION]), mediator=officer,
            screened_at=screened, idempotency_key=f"demo-dispute-{n}")
        made.append(dispute)
        age = (now - screened).days
        if age < 3 and n % 2:
            continue  # freshly screened, nothing done yet (the high-risk ones among them are overdue escalations)
        at = min(screened + timedelta(hours=rng.uniform(2, 20)), now)
        dispute_step_add(actor=officer, dispute_id=dispute.pk, kind="visit", note="民警上门走访，分别了解双方诉求。", at=at)
        sessions = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
        for s in range(sessions if age > 10 else 1):
            at += timedelta(days=rng.uniform(1, 4))
            dispute_step_add(actor=chief if s else officer, dispute_id=dispute.pk, kind="mediation",
                             note=f"组织双方第{s + 1}次调解。", at=min(at, now))
        if age <= 10 or rng.random() < 0.12:
            continue  # still being mediated
        end_at = min(at + timedelta(days=1), now)
        if rng.random() < 0.1:
            dispute_end(actor=officer, dispute_id=dispute.pk, action="refer", outcome="调解不成，引导当事人向劳动仲裁委申请仲裁。",
                        now=end_at)
            continue
        dispute_step_add(actor=officer, dispute_id=dispute.pk, kind="agreement", note="双方签订人民调解协议书。", at=end_at)
        dispute_end(actor=officer, dispute_id=dispute.pk, action="resolve", outcome="双方达成调解协议并履行。", now=end_at)
        for visit in dispute.visits.all():
            visit_at = datetime.combine(visit.due, datetime.min.time(), timezone.get_current_timezone()) + timedelta(hours=10)
            # most visits are made on time; one in six due ones is left undone, and shows on the supervision board
            if visit_at < now and rng.random() > 0.16:
                visit_record(actor=officer, dispute_id=dispute.pk, visit_id=visit.pk, note="回访双方，情绪稳定，协议已履行。",
                             stable=True, now=visit_at)
    _from_hotline(now=now, operator=operator, station=Unit.objects.get(code="PCS_QH"))
    return made


def _from_hotline(*, now: datetime, operator: User, station: Unit) -> None:
    """A hotline case about unpaid wages turned into a dispute, and a later call of the same worker flagged."""
    division = (Division.objects.filter(path__startswith=station.division.path, level=Division.Level.TOWNSHIP)
                .order_by("-path").first() or station.division)
    case, _created = case_create(
        actor=operator, channel="hotline", kind="dispute", title="装修公司拖欠工人工资两个月",
        content="我在清河区一家装修公司干了两个月活，老板一直不给工资，多次讨要未果，工友们情绪很大。",
        division_code=division.code, requester_name="付长青", requester_phone="13804105566",
        address=f"{division.name}建设街18号", received_at=now - timedelta(days=6), idempotency_key="demo-dispute-case-1")
    dispute_from_case(actor=operator, case_number=case.number, type="labour", station=station, risk=Risk.MEDIUM,
                      other_parties=[PartyInput(name="鲁海军", phone="13704107788")], screened_at=now - timedelta(days=5))
    case_create(actor=operator, channel="hotline", kind="complaint", title="工资还是没要到",
                content="上次反映的装修公司欠薪问题还没有解决。", division_code=division.code, requester_name="付长青",
                requester_phone="13804105566", received_at=now - timedelta(days=1), idempotency_key="demo-dispute-case-2")
    assert Case.objects.filter(idempotency_key="demo-dispute-case-2").exists()
