"""Chinese message text → what grouping compares: the places it names and its weighted problem terms.

Pure functions; jieba (with its bundled dictionary and IDF table) is loaded once, on first use, and nothing is
downloaded. The IDF weights are jieba's fixed table, not learnt from the messages seen so far: a pair of messages
then gets the same similarity whatever else has arrived, which is what makes incremental grouping equal to a
batch run (grouping.py).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def _words(spaced: str) -> list[str]:
    return spaced.split()


_lock = threading.Lock()
_jieba_ready = False
_idf: dict[str, float] = {}
_idf_default = 10.0

# Divisions as the anonymised TipDM data writes them (A市, A3区, A7县); cases in the product carry their division.
_ANON_DIVISION = re.compile(r"[A-Z]\d*(?:省|市|区|县)")
# The last word of a place name: a residential community, a road, a building, a village, an organisation.
_SUFFIXES = (
    "小区", "花园", "公寓", "大厦", "广场", "家园", "新村", "新城", "社区", "村", "路", "街", "大道", "巷", "镇", "乡",
    "街道", "学校", "中学", "小学", "幼儿园", "大学", "学院", "医院", "公司", "集团", "酒店", "市场", "商场", "楼盘",
    "项目", "工业园", "园区", "公园", "大桥", "府", "苑", "城", "湾", "庭", "郡", "山庄", "公馆", "大院", "宿舍",
    "号线", "一期", "二期", "三期", "四期", "组", "屯",
)
_SUFFIX_RE = re.compile("|".join(sorted(_SUFFIXES, key=len, reverse=True)))
# A name stops on its left at these words (once it has two characters: 和平路 keeps its 和).
_LEFT_STOPS = tuple(sorted(_words(
    "反映 关于 咨询 投诉 举报 请求 建议 希望 要求 询问 请问 恳请 位于 地处 附近 旁边 对面 周边 我们 我家 本人 家住 居住 "
    "住在 门口 靠近 紧邻 能否 可否 设立 增设 建设 修建 新建 规划 开发 整治 改造 解决 处理 落实 取消 恢复 拆除 实施 开通 "
    "经过 途经 通往 前往 进入 以及 还是 或者 就读 入读 承诺 主持人 所有 全体 广大 "
    "在 与 和 及 的 对 是 至 到 从 了 为 给 被 把 将 向 经 住 原 即 镇 乡 村 区 县 市 省 路 街 巷 组"),
    key=len, reverse=True))
_MAX_NAME = 6
_INNER_CUTS = ("小区", "社区", "花园", "大厦", "广场", "家园", "新村", "公寓", "街道", "大道", "公司", "学校", "医院")
# Only the start of a long description is segmented: the problem is stated there, and jieba is the cost.
DETAIL_CHARS = 120
# Characters that make up place words; a trigram made only of them (新城小, 小区三) names no place.
_GENERIC_CHARS = frozenset("小区花园新城国际中心社区广场大厦公寓家园路街村镇乡期栋号楼一二三四五六七八九十东西南北大道巷组"
                           "学校医院公司集团市场项目府苑湾庭郡山庄公馆宿舍线")
# Words in many organisations' names: two companies sharing 有限公 or 业发展 are not one place.
_GENERIC_PARTS = ("有限", "限公", "股份", "责任", "置业", "控股", "投资", "科技", "实业", "发展", "管理", "开发", "地产",
                  "建设", "集团", "商贸", "贸易", "服务", "物业", "技术", "工程", "职业", "学院", "学校", "教育", "实验")
_GENERIC_NAMES = frozenset(_words(
    "我们 本 该 这个 那个 此 这 那 其 某 各 一个 整个 所在 相关 有关 附近 周边 农村 城市 城区 县城 街头 路边 老 新 旧 大 小 "
    "水泥 马 公 道 铁 小 村 高速 国 省 乡 县 环 城中 安置 回迁 商品 保障 公租 廉租 经济适用 老旧 拆迁 周边 隔壁"
))
# Offices, not places: complaints are addressed to them, they are not where the problem is.
_NOT_PLACES = ("政府", "委员会", "市委", "管理局", "教育局", "街道办")
_NOISE = re.compile(r"^[\s\W_]+$", re.UNICODE)
_CJK_OR_ALNUM = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9]+$")
# Words that say nothing about which problem a message is about (they occur in every kind of complaint).
_STOP = frozenset(_words(
    "的 了 是 在 和 与 及 或 也 都 还 就 又 我 我们 你 你们 他 他们 她 它 这 那 这个 那个 这些 那些 有 没有 无 不 没 "
    "很 太 非常 特别 十分 一 一个 一些 一直 已经 现在 目前 如今 今年 去年 每天 每次 多次 多年 至今 长期 严重 问题 情况 "
    "反映 关于 咨询 投诉 举报 请求 建议 希望 要求 询问 请问 恳请 强烈 紧急 领导 政府 部门 相关 有关 解决 处理 尽快 "
    "及时 能否 是否 为什么 什么 如何 怎么 怎样 哪里 为何 可以 能 会 要 应该 应当 需要 必须 给 让 被 把 对 向 从 到 "
    "由 因 因为 所以 但是 但 而 而且 并 并且 如果 虽然 然后 因此 并且 导致 造成 进行 出现 存在 发生 以及 等 等等 "
    "其 之 此 该 本 上 下 中 内 外 前 后 时 年 月 日 号 天 市民 居民 群众 老百姓 百姓 大家 谢谢 感谢 您好 你好 "
    "您 麻烦 帮助 帮忙 请 望 盼 恳求 呼吁 严重影响 影响 生活 正常 工作 小区 社区 业主 住户 附近 周边"
))


def _load() -> None:
    global _jieba_ready, _idf_default
    if _jieba_ready:
        return
    with _lock:
        if _jieba_ready:
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        # Read the IDF table jieba ships; importing jieba.analyse would also load its part-of-speech tables (4 s).
        idf_path = Path(jieba.__file__).with_name("analyse") / "idf.txt"
        values: dict[str, float] = {}
        with idf_path.open(encoding="utf-8") as f:
            for line in f:
                word, _, value = line.strip().partition(" ")
                if value:
                    values[word] = float(value)
        _idf.update(values)
        ordered = sorted(values.values())
        _idf_default = ordered[len(ordered) // 2] if ordered else 10.0
        _jieba_ready = True


def cut(text: str) -> list[str]:
    """jieba tokens of `text` without whitespace and punctuation."""
    _load()
    import jieba

    return [t for t in (w.strip() for w in jieba.lcut(text or "")) if t and not _NOISE.match(t)]


def divisions(text: str) -> list[str]:
    """Administrative divisions written in the text (A3区, 银州区), in order, without repeats."""
    seen: list[str] = []
    for m in _ANON_DIVISION.finditer(text or ""):
        d = m.group(0)
        if not d.endswith("省") and d not in seen:
            seen.append(d)
    return seen


def places(text: str) -> list[str]:
    """Named places in `text` (丽发新城小区, 金鼎村, 桐梓坡路) in order, without repeats and without divisions.

    A place is up to eight characters before a place word (小区, 村, 路, 大厦, 公司…). The name stops on its left
    at a division, punctuation, a verb of complaint or a preposition, or another place word, so
    "反映A7县春华镇金鼎村" gives 春华镇 and 金鼎村. jieba is not used here: it splits unknown names (魅力|之|城).
    """
    found: list[str] = []
    for chunk in re.split(r"[^\u4e00-\u9fa5A-Za-z0-9]+", _ANON_DIVISION.sub(" ", text or "")):
        for m in _SUFFIX_RE.finditer(chunk):
            k = m.start()
            left = chunk[:k]
            name = ""
            while left and len(name) < _MAX_NAME:
                if len(name) >= 2:
                    stop = next((w for w in _LEFT_STOPS if left.endswith(w)), None)
                    if stop:
                        break
                name = left[-1] + name
                left = left[:-1]
            # A name that starts with a verb of complaint (投诉|小区) names nothing.
            stripped = True
            while stripped and name:
                stripped = False
                for w in _LEFT_STOPS:
                    if len(w) > 1 and name.startswith(w):
                        name, stripped = name[len(w):], True
                        break
            # A place word inside the name means the name ran past another place (魅力之城小区临|街): keep the tail.
            for inner in _INNER_CUTS:
                at = name.rfind(inner)
                if at >= 0:
                    name = name[at + len(inner):]
            if len(name) < 2 or name in _GENERIC_NAMES or all(c in _GENERIC_CHARS for c in name):
                continue
            place = name + m.group(0)
            if place.endswith(_NOT_PLACES):
                continue
            if place not in found:
                found.append(place)
    return found


def place_grams(place: str) -> set[str]:
    """The place's character trigrams that name something (丽发新, 发新城), not the place words (新城小, 城小区).

    Two messages name the same place when they share one: robust to a stray word on the left of a name
    ("反映丽发新城" and "丽发新城小区") and to a community and a road written together.
    """
    grams = (place[i:i + 3] for i in range(len(place) - 2))
    return {g for g in grams if not all(c in _GENERIC_CHARS for c in g) and not any(p in g for p in _GENERIC_PARTS)}


def idf(token: str) -> float:
    if not _jieba_ready:
        _load()
    return _idf.get(token, _idf_default)


@dataclass(frozen=True)
class Vector:
    """A sparse, L2-normalised term vector."""

    weights: dict[str, float]

    def cosine(self, other: Vector) -> float:
        a, b = (self.weights, other.weights) if len(self.weights) <= len(other.weights) else (other.weights, self.weights)
        return sum(w * b[t] for t, w in a.items() if t in b)


def problem_vector(title: str, detail: str, *, places: Sequence[str] = ()) -> Vector:
    """TF-IDF of the problem words: title words count double; place names, divisions and stop-words are left out.

    Place names are left out so that two different problems at one community do not look alike, and one problem
    at two communities does; the place is compared separately.
    """
    weights: dict[str, float] = {}
    for text, factor in ((title, 2.0), ((detail or "")[:DETAIL_CHARS], 1.0)):
        for token in cut(_ANON_DIVISION.sub(" ", text or "")):
            if token in _STOP or token.isdigit() or len(token) < 2 or any(token in p for p in places):
                continue
            weights[token] = weights.get(token, 0.0) + factor
    for token, tf in weights.items():
        weights[token] = (1.0 + math.log(tf)) * idf(token)
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return Vector({t: w / norm for t, w in weights.items()})
