"""The Tieling demo's supply ↔ demand: 铁岭橡胶工业研究设计院 matching Tieling rubber producers with Shenyang buyers.

Named listings of three Tieling rubber producers and three Shenyang buyers (the buyers are kept on the city in the
registry, their listings placed in Shenyang), a few hundred generated listings of the region's other trades, and
the introductions the office made through the institute: one signed, one negotiating, one not concluded.

Invented: every producer and buyer name, product, quantity and contract value; only the institute and its role
(a national SME public service platform joining Tieling rubber firms to Shenyang buyers) are from the city's facts.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from jingzhi.core.validators import credit_code_check_char
from jingzhi.enterprises.services.registry import enterprise_save
from jingzhi.org.models import Division, Enterprise, Role, User
from jingzhi.org.services import user_upsert
from jingzhi.supplydemand.generate import bulk_publish, listing_rows
from jingzhi.supplydemand.models import Listing
from jingzhi.supplydemand.services import introduction_advance, introduction_make, listing_create

INSTITUTE = "铁岭橡胶工业研究设计院"
# name, credit code's first 17, division code in the registry, industry, address
FIRMS = [
    ("铁岭恒信橡胶制品有限公司", "91211202MA0RB0001", "211202", "C2913", "铁岭市银州区银州经济开发区"),
    ("开原宏远输送带有限公司", "91211282MA0RB0002", "211282", "C2912", "开原市经济开发区"),
    ("铁岭县金达液压胶管有限公司", "91211221MA0RB0003", "211221", "C2912", "铁岭县腰堡镇工业园"),
    ("沈阳铁西汽车零部件有限公司", "91210106MA0RB0004", "211200", "C3670", "沈阳市铁西区"),
    ("沈阳北方矿山装备有限公司", "91210113MA0RB0005", "211200", "C3511", "沈阳市沈北新区"),
    ("沈阳浑南工程机械有限公司", "91210112MA0RB0006", "211200", "C3431", "沈阳市浑南区"),
]
GENERATED = 300


def _firm(name: str, first17: str, division: Division, industry: str, address: str) -> Enterprise:
    existing = Enterprise.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return enterprise_save(actor=None, enterprise=None, name=name, credit_code=first17 + credit_code_check_char(first17),
                           division=division, industry=industry, size="medium", address=address)


def load_supply_demo(*, now: datetime, seed: int = 2015) -> dict[str, Any]:
    """Load the supply ↔ demand demo into a demo city whose organisation and enterprises are loaded."""
    today = timezone.localdate(now)
    divisions = {d.code: d for d in Division.objects.filter(code__in={f[2] for f in FIRMS})}
    firms = {name: _firm(name, code, divisions[div], industry, address) for name, code, div, industry, address in FIRMS}
    institute = Enterprise.objects.get(name=INSTITUTE)
    operator = User.objects.get(username="operator")
    password = operator.password  # the demo's one shared password hash
    producer_user = user_upsert(actor=None, username="qiye_hengxin", role=Role.ENTERPRISE, display_name="恒信橡胶销售部",
                                enterprise=firms["铁岭恒信橡胶制品有限公司"], password_hash=password)
    buyer_user = user_upsert(actor=None, username="qiye_tiexi", role=Role.ENTERPRISE, display_name="铁西汽配采购部",
                             enterprise=firms["沈阳铁西汽车零部件有限公司"], password_hash=password)

    def publish(actor: User, firm: str, kind: str, **fields: Any) -> Listing:
        listing, _created = listing_create(actor=actor, enterprise=firms.get(firm) or institute, kind=kind,
                                           fields=fields, idempotency_key=f"demo:{firm}:{fields['title']}", is_demo=True)
        return listing

    seals = publish(producer_user, "铁岭恒信橡胶制品有限公司", "capability", title="丁腈橡胶O型密封圈、油封",
                    description="汽车发动机、变速箱及液压设备用丁腈、氟橡胶O型密封圈和骨架油封，通过IATF16949认证。",
                    quantity="60000", unit="piece")
    belts = publish(operator, "开原宏远输送带有限公司", "capability", title="钢丝绳芯阻燃橡胶输送带",
                    description="矿用阻燃、耐磨钢丝绳芯输送带，带宽800–1600毫米。", quantity="8000", unit="m")
    hoses = publish(operator, "铁岭县金达液压胶管有限公司", "capability", title="高压钢丝编织液压胶管",
                    description="工程机械、农机用高压钢丝编织液压胶管及总成。", quantity="20000", unit="m")
    publish(operator, INSTITUTE, "capability", title="橡胶配方设计与制品检测",
            description="橡胶配方开发、密封件和胶管的性能检测与认证辅导。", quantity="40", unit="set", industry="M7320")
    seal_need = publish(buyer_user, "沈阳铁西汽车零部件有限公司", "need", title="汽车发动机用橡胶密封圈",
                        description="发动机、变速箱用丁腈橡胶O型密封圈和油封，年度框架采购，首批十万件。",
                        quantity="100000", unit="piece", wanted_by=today + timedelta(days=75), place_code="210106")
    belt_need = publish(operator, "沈阳北方矿山装备有限公司", "need", title="矿用阻燃输送带",
                        description="煤矿井下用阻燃钢丝绳芯输送带，带宽1200毫米。", quantity="12000", unit="m",
                        wanted_by=today + timedelta(days=120), place_code="210113")
    hose_need = publish(operator, "沈阳浑南工程机械有限公司", "need", title="挖掘机液压胶管总成",
                        description="挖掘机用高压液压胶管总成，耐压35兆帕。", quantity="30000", unit="m",
                        wanted_by=today + timedelta(days=90), place_code="210112")

    rng = random.Random(seed)
    pool = list(Enterprise.objects.filter(is_demo=True).order_by("pk")[:200]) or list(firms.values())
    generated = bulk_publish(listing_rows(rng, pool, GENERATED, today=today))

    made = {}
    for need, cap in ((seal_need, seals), (belt_need, belts), (hose_need, hoses)):
        made[need.pk], _created = introduction_make(actor=operator, need=need, capability=cap, via=institute,
                                                    note="经铁岭橡胶工业研究设计院推荐")
    signed = made[seal_need.pk]
    if signed.status == "introduced":
        introduction_advance(actor=operator, introduction=signed, action="contact")
        introduction_advance(actor=operator, introduction=signed, action="negotiate")
        introduction_advance(actor=operator, introduction=signed, action="sign", value="186",
                             signed_on=timezone.localdate())  # the service dates the introduction now
    belt_intro = made[belt_need.pk]
    if belt_intro.status == "introduced":
        introduction_advance(actor=operator, introduction=belt_intro, action="contact")
        introduction_advance(actor=operator, introduction=belt_intro, action="negotiate")
    hose_intro = made[hose_need.pk]
    if hose_intro.status == "introduced":
        introduction_advance(actor=operator, introduction=hose_intro, action="fail", reason="耐压等级未达到35兆帕要求")
    return {"listings": Listing.objects.count(), "generated": len(generated), "introductions": len(made)}
