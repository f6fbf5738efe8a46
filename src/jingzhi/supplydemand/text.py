"""Chinese product descriptions → weighted terms: jieba words (search mode) plus character pairs, with jieba's IDF.

Pure functions (no database). Words carry the meaning (橡胶, 密封圈); character pairs catch product names jieba
does not know and partial writings (密封件 vs 密封圈 share 密封). The IDF is the fixed table jieba ships, not
counted over the listings: a pair of listings scores the same whatever else is published, so the term table never
has to be recomputed when others change (ADR 029).
"""

from __future__ import annotations

import math
import re

# jieba and its IDF table are loaded once per process, by the knowledge base's text module.
from jingzhi.knowledge.text import jieba_idf, normalise

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_TERM = re.compile(r"^[\u4e00-\u9fffa-z0-9]+$")
# Words of every listing: they say that something is bought or sold, not what.
STOP = frozenset(
    ["的", "了", "和", "与", "及", "或", "等", "各种", "各类", "我司", "本公司", "公司", "企业", "有限", "有限公司", "需要", "需求", "采购", "求购", "收购", "供应", "提供", "出售", "销售", "生产", "产品", "加工", "制造", "定制", "批量", "长期", "大量", "每月", "月产", "年产", "产能", "现货", "规格", "型号", "质量", "优质", "合格", "要求", "标准", "一批", "用于", "可以", "能够", "欢迎", "联系", "合作", "厂家", "工厂", "单位", "货源", "稳定", "价格", "优惠", "以上", "以下", "左右", "我们", "本厂", "全国", "本地"])
PAIR_STOP = frozenset({"有限", "限公", "公司", "采购", "需求", "供应", "生产", "产品", "我司", "批量", "长期", "每月"})
# At most this many terms per listing are indexed (the rarest): a long description adds little past them.
MAX_TERMS = 24
PAIR_FACTOR = 0.5


def words(text: str) -> list[str]:
    """jieba words in search mode (橡胶密封圈 → 橡胶, 密封, 密封圈) without stop words and single characters."""
    jieba_idf()  # jieba initialised
    import jieba

    out = []
    for w in jieba.lcut_for_search(normalise(text)):
        w = w.strip()
        if len(w) >= 2 and _TERM.match(w) and w not in STOP and not w.isdigit():
            out.append(w)
    return out


def pairs(text: str) -> list[str]:
    out: list[str] = []
    for run in _CJK.findall(normalise(text)):
        out.extend(p for p in (run[i:i + 2] for i in range(len(run) - 1)) if p not in PAIR_STOP and p not in STOP)
    return out


def idf(term: str) -> float:
    table, default = jieba_idf()
    return table.get(term, default)


def is_word(term: str) -> bool:
    """A word of jieba's dictionary (橡胶, 密封圈), not a bare character pair (型密)."""
    return term in jieba_idf()[0]


def vector(title: str, description: str = "") -> dict[str, float]:
    """L2-normalised TF-IDF of the product words (title twice the description), the MAX_TERMS heaviest kept."""
    raw: dict[str, float] = {}
    for text, factor in ((title, 2.0), (description[:300], 1.0)):
        ws = words(text)
        seen = set(ws)
        for w in ws:
            raw[w] = raw.get(w, 0.0) + factor
        for p in pairs(text):
            if p not in seen:
                raw[p] = raw.get(p, 0.0) + factor * PAIR_FACTOR
    weights = {t: (1.0 + math.log(tf)) * idf(t) for t, tf in raw.items() if tf > 0}
    kept = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS])
    norm = math.sqrt(sum(w * w for w in kept.values())) or 1.0
    return {t[:40]: w / norm for t, w in kept.items()}


def industry_terms(code: str) -> list[str]:
    """Index keys of an industry code's group and class (C2911 → #C291, #C2911): same-trade listings meet even
    without a shared word. The division level (#C29) is too wide to be a key."""
    code = (code or "").upper()
    return [f"#{code[:n]}" for n in (4, 5) if len(code) >= n]
