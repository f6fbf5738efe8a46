"""Hotspot detection as a library: places, the pair test, incremental = batch, heat."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jingzhi.hotspots import text
from jingzhi.hotspots.grouping import Detector, Message, Settings, detect

T0 = datetime(2019, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def msg(ident: str, title: str, detail: str = "", *, day: float = 0, likes: int = 0, user: str = "") -> Message:
    return Message(id=ident, title=title, detail=detail, at=T0 + timedelta(days=day), supporters=likes,
                   reporter=user or f"u{ident}")


def test_places_are_names_before_place_words_without_divisions_or_verbs() -> None:
    assert text.places("反映A7县春华镇金鼎村水泥路、自来水到户的问题")[:2] == ["春华镇", "金鼎村"]
    assert "丽发新城小区" in text.places("A2区丽发新城小区附近搅拌站噪音扰民")
    assert text.places("投诉小区附近搅拌站噪音扰民") == []  # no name: "小区" alone is no place
    assert text.places("A市伊景园滨河苑捆绑销售车位") == ["伊景园滨河苑"]
    assert "麓松路" in text.places("A3区保利麓谷林语桐梓坡路与麓松路交汇处地铁凌晨2点施工扰民")


def test_place_grams_leave_out_place_words_and_company_words() -> None:
    assert text.place_grams("丽发新城小区") == {"丽发新", "发新城"}
    assert not (text.place_grams("明威大数据产业发展有限公司") & text.place_grams("楚雅健康管理有限公司"))


MIXING_PLANT = [
    msg("1", "A2区丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重", day=0),
    msg("2", "丽发新城小区附近的搅拌站噪音严重扰民", "搅拌站晚上施工噪音太大，灰尘很多", day=2),
    msg("3", "举报A2区丽发新城小区附近仍存在非法搅拌站", "搅拌站粉尘污染，噪音扰民", day=5),
]
SAME_PLACE_OTHER_PROBLEM = msg("4", "A2区丽发新城小区物业乱收停车费", "物业公司违规收取停车费，业主不满", day=3)
OTHER_PLACE_SAME_PROBLEM = msg("5", "A3区魅力之城小区附近搅拌站噪音扰民", "搅拌站噪音粉尘严重", day=3)
TOO_LATE = msg("6", "丽发新城小区附近搅拌站噪音扰民", "搅拌站噪音", day=5 + 31)
PARKING = [
    msg("7", "投诉A市伊景园滨河苑捆绑销售车位", "开发商要求购房必须同时购买车位", day=1),
    msg("8", "A市伊景园滨河苑项目捆绑销售车位", "购房捆绑销售车位，违反规定", day=4),
]


def test_one_problem_at_one_place_is_one_group_and_nothing_else_joins() -> None:
    found = detect([*MIXING_PLANT, SAME_PLACE_OTHER_PROBLEM, OTHER_PLACE_SAME_PROBLEM, TOO_LATE, *PARKING])
    groups = sorted(sorted(h.ids) for h in found)
    assert groups == [["1", "2", "3"], ["7", "8"]]
    top = found[0]
    assert top.ids == ["1", "2", "3"] and "丽发新城" in top.place
    assert top.summary in {m.title for m in MIXING_PLANT}
    assert (top.start, top.end) == (MIXING_PLANT[0].at, MIXING_PLANT[-1].at)


def test_near_copy_without_a_place_joins() -> None:
    found = detect([msg("a", "请问A市什么时候能普及5G网络？", "5G网络什么时候覆盖全市"),
                    msg("b", "请问A市什么时候能普及5G网络？", "5G网络什么时候覆盖全市", day=1),
                    msg("c", "A市什么时候实行独生子女护理假？", "独生子女护理假", day=1)])
    assert [sorted(h.ids) for h in found] == [["a", "b"]]


def _corpus() -> list[Message]:
    places = ["丽发新城", "伊景园滨河苑", "魅力之城", "金鼎村", "凉塘路"]
    problems = [("搅拌站噪音扰民", "搅拌站日夜施工噪音粉尘"), ("捆绑销售车位", "开发商强制购买车位"),
                ("临街门面油烟扰民", "餐饮油烟直排"), ("自来水不通", "村里自来水管道没有接通"), ("旧城改造何时启动", "旧城改造拖延")]
    rng = random.Random(7)
    out = []
    for i in range(60):
        p = rng.randrange(len(places))
        q = p if rng.random() < 0.7 else rng.randrange(len(problems))
        title, detail = problems[q]
        out.append(msg(str(i), f"A{p + 1}区{places[p]}{title}", detail, day=rng.uniform(0, 90)))
    return out


def test_incremental_in_any_order_gives_the_batch_groups() -> None:
    corpus = _corpus()
    batch = Detector()
    batch.add_all(sorted(corpus, key=lambda m: m.at))
    assert len(batch.groups()) >= 3  # the corpus does have groups to compare
    for seed in range(3):
        shuffled = corpus[:]
        random.Random(seed).shuffle(shuffled)
        live = Detector()
        for m in shuffled:
            live.add(m)
        assert live.groups() == batch.groups()


def test_adding_a_message_twice_changes_nothing() -> None:
    d = Detector()
    d.add_all(MIXING_PLANT)
    before = d.groups()
    assert d.add(MIXING_PLANT[0]) == "1"
    assert d.groups() == before and len(d) == 3


def test_heat_counts_people_supporters_and_growth() -> None:
    crowd = [msg(f"c{i}", "A2区丽发新城小区附近搅拌站噪音扰民", "搅拌站噪音", day=i) for i in range(4)]
    one_person = [msg(f"p{i}", "A3区伊景园滨河苑捆绑销售车位", "强制购买车位", day=i, user="same") for i in range(4)]
    found = detect([*crowd, *one_person])
    assert [h.ids[0] for h in found] == ["c0", "p0"]
    liked = [Message(id=m.id, title=m.title, detail=m.detail, at=m.at, reporter=m.reporter, supporters=500)
             for m in one_person]
    assert [h.ids[0] for h in detect([*crowd, *liked])] == ["p0", "c0"]
    # Growth: the same group, all in the last week, is hotter than spread over the quarter before `now`.
    recent = detect(crowd, now=crowd[-1].at)[0]
    later = detect(crowd, now=crowd[-1].at + timedelta(days=20))[0]
    assert recent.trend == (4, 0) and later.trend == (0, 0) and recent.heat > later.heat


def test_window_is_a_setting() -> None:
    assert len(detect([*MIXING_PLANT, TOO_LATE], Settings(window=timedelta(days=60)))[0].ids) == 4
