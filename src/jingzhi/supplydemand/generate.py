"""Generated listings for the demo and the benchmark: product families of the Tieling region (rubber first), each
with its industry code, unit and typical quantities. Written in bulk with their term rows (generated data only;
real listings go through services.listing_create).

Invented: every enterprise name, product wording and quantity here is illustrative.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from jingzhi.org.models import Enterprise
from jingzhi.supplydemand.models import Listing, ListingTerm
from jingzhi.supplydemand.suggest import listing_terms

# (product, industry, unit, (low, high) per month or per order, specs, uses)
FAMILIES: list[tuple[str, str, str, tuple[int, int], list[str], list[str]]] = [
    ("橡胶密封圈", "C2913", "piece", (2000, 60000), ["丁腈橡胶O型", "氟橡胶", "硅橡胶", "三元乙丙"], ["汽车", "液压设备", "阀门", "管道"]),
    ("橡胶输送带", "C2912", "m", (500, 20000), ["钢丝绳芯", "尼龙芯", "耐高温", "阻燃"], ["矿山", "港口", "电厂", "水泥厂"]),
    ("液压胶管", "C2912", "m", (1000, 30000), ["高压钢丝编织", "低压", "耐油", "耐磨"], ["工程机械", "农机", "煤矿"]),
    ("橡胶减震垫", "C2913", "piece", (1000, 40000), ["天然橡胶", "氯丁橡胶", "桥梁"], ["铁路", "设备", "建筑"]),
    ("再生胶", "C2914", "t", (50, 2000), ["轮胎", "丁基", "乳胶"], ["橡胶制品", "胶管", "鞋底"]),
    ("混炼胶", "C2919", "t", (20, 800), ["丁苯", "天然橡胶", "氟胶"], ["密封件", "胶辊", "减震件"]),
    ("载重轮胎", "C2911", "piece", (500, 20000), ["全钢子午线", "斜交", "工程"], ["货车", "客车", "工程机械"]),
    ("玉米", "A0113", "t", (200, 20000), ["国标二等", "烘干", "新季"], ["饲料", "淀粉", "酒精"]),
    ("玉米淀粉", "C1391", "t", (100, 5000), ["食品级", "工业级", "变性"], ["造纸", "食品", "医药"]),
    ("螺纹钢", "C3130", "t", (100, 8000), ["HRB400", "HRB500", "抗震"], ["建筑", "桥梁", "基建"]),
    ("阀门", "C3443", "unit", (50, 3000), ["闸阀", "截止阀", "球阀", "蝶阀"], ["供热", "石化", "给排水"]),
    ("汽车线束", "C3670", "set", (1000, 50000), ["发动机", "仪表", "车身", "新能源"], ["乘用车", "商用车"]),
    ("瓦楞纸箱", "C2231", "piece", (10000, 500000), ["五层", "三层", "彩印"], ["食品", "家电", "物流"]),
    ("生物机械浆", "C2211", "t", (500, 20000), ["漂白", "本色", "杨木"], ["造纸", "纸板", "生活用纸"]),
    ("铸铁件", "C3391", "t", (20, 1500), ["球墨", "灰铸铁", "精密"], ["机床", "泵阀", "汽车"]),
    ("复合肥", "C2624", "t", (200, 10000), ["硫酸钾型", "缓释", "水溶"], ["玉米", "水稻", "果蔬"]),
    ("配合饲料", "C1320", "t", (100, 5000), ["猪用", "禽用", "牛羊"], ["养殖场", "合作社"]),
    ("塑料薄膜", "C2921", "t", (20, 1500), ["农用", "包装", "PE"], ["大棚", "食品包装"]),
    ("LED灯具", "C3872", "piece", (500, 50000), ["路灯", "工矿灯", "面板灯"], ["市政", "厂房", "学校"]),
    ("办公文具", "C2411", "piece", (5000, 300000), ["中性笔", "笔记本", "文件夹"], ["学校", "机关", "商超"]),
    ("实木板材", "C2021", "m3", (50, 3000), ["柞木", "松木", "桦木"], ["家具", "地板", "包装"]),
    ("农机配件", "C3579", "piece", (500, 20000), ["收割机", "播种机", "拖拉机"], ["农机维修", "农机厂"]),
]
TIELING_PLACES = ["211202", "211204", "211221", "211223", "211224", "211281", "211282"]
BUYER_PLACES = TIELING_PLACES + ["210106", "210112", "210113", "210114", "210104"]


def listing_rows(rng: random.Random, enterprises: Sequence[Enterprise], n: int, *, today: date,
                 families: Sequence[int] | None = None, place_names: dict[str, str] | None = None) -> list[Listing]:
    """`n` listings (alternating need and capability) of random families, spread over the given enterprises."""
    from jingzhi.supplydemand.places import OUTSIDE

    names = {**OUTSIDE, **(place_names or {})}
    chosen = list(families) if families is not None else list(range(len(FAMILIES)))
    rows = []
    for i in range(n):
        product, industry, unit, (low, high), specs, uses = FAMILIES[chosen[rng.randrange(len(chosen))]]
        kind = Listing.Kind.NEED if i % 2 == 0 else Listing.Kind.CAPABILITY
        spec, use = rng.choice(specs), rng.choice(uses)
        place = rng.choice(BUYER_PLACES if kind == Listing.Kind.NEED else TIELING_PLACES)
        if kind == Listing.Kind.NEED:
            title = f"{use}用{spec}{product}"
            desc = f"采购{spec}{product}，用于{use}，要求质量稳定、按期交货。"
            wanted = today + timedelta(days=rng.randint(20, 200))
            extra = {"wanted_by": wanted, "valid_until": wanted}
        else:
            title = f"{spec}{product}"
            desc = f"专业生产{spec}{product}，可供{use}等领域，产能充足。"
            extra = {"available_from": today + timedelta(days=rng.choice([0, 0, 0, 15, 45])),
                     "valid_until": today + timedelta(days=rng.randint(60, 300))}
        rows.append(Listing(kind=kind, enterprise=enterprises[rng.randrange(len(enterprises))], title=title[:100],
                            description=desc, quantity=Decimal(rng.randint(low, high)), unit=unit,
                            place_code=place, place_name=names.get(place, place), industry=industry if rng.random() < 0.8 else "",
                            is_demo=True, **extra))
    return rows


def bulk_publish(rows: list[Listing], *, batch: int = 2000) -> list[Listing]:
    """Save generated listings and their term rows."""
    created: list[Listing] = []
    for i in range(0, len(rows), batch):
        chunk = Listing.objects.bulk_create(rows[i:i + batch])
        terms: list[ListingTerm] = []
        for listing in chunk:
            terms.extend(listing_terms(listing))
        ListingTerm.objects.bulk_create(terms, batch_size=5000)
        created.extend(chunk)
    return created
