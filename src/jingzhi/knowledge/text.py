"""Chinese text → search terms: jieba words, the city's synonyms folded to one word, and character pairs.

Pure functions (no database). Character pairs (bigrams) are what makes search forgive a typo: a mistyped
character (公积金 typed 公基金) spoils the one or two pairs it is in, while the other pairs of the phrase still
match. Scores use the IDF table jieba ships (like hotspots/text.py): a fixed table gives the same score on
SQLite and PostgreSQL and for one article whatever else is in the base.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

_lock = threading.Lock()
_ready = False
_idf: dict[str, float] = {}
_idf_default = 10.0

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_TERM = re.compile(r"^[\u4e00-\u9fffa-z0-9]+$")
# Words that occur in every kind of question; they would match everything. Citation marks are left out too.
_STOP = frozenset(["的", "了", "是", "在", "和", "与", "及", "或", "也", "都", "还", "就", "又", "我", "我们", "你", "你们", "他", "他们", "她", "它", "这", "那", "这个", "那个", "这些", "那些", "有", "没有", "无", "不", "没", "很", "太", "非常", "一", "一个", "一些", "一直", "已经", "现在", "目前", "请问", "咨询", "反映", "关于", "问题", "情况", "希望", "要求", "能否", "是否", "什么", "如何", "怎么", "怎样", "哪里", "可以", "能", "会", "要", "需要", "给", "让", "被", "把", "对", "向", "从", "到", "由", "因为", "所以", "但是", "但", "而", "并", "如果", "等", "其", "之", "此", "该", "本", "您好", "你好", "谢谢", "感谢", "您", "请", "网友", "留言", "回复", "答复", "如下", "现", "将", "收悉", "kb"])
PAIR_STOP = frozenset({"我们", "您好", "你好", "谢谢", "感谢", "网友", "留言", "回复", "答复", "如下"})


def _load() -> None:
    global _ready, _idf_default
    if _ready:
        return
    with _lock:
        if _ready:
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        path = Path(jieba.__file__).with_name("analyse") / "idf.txt"
        values: dict[str, float] = {}
        with path.open(encoding="utf-8") as f:
            for line in f:
                word, _, value = line.strip().partition(" ")
                if value:
                    values[word] = float(value)
        _idf.update(values)
        ordered = sorted(values.values())
        _idf_default = ordered[len(ordered) // 2] if ordered else 10.0
        _ready = True


def jieba_idf() -> tuple[dict[str, float], float]:
    """jieba's own IDF table (loaded once per process, jieba initialised) and its median, for unknown terms.

    Shared with supply–demand's product words (supplydemand.text), which score with the same fixed table."""
    _load()
    return _idf, _idf_default


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, lower case (ＡＢＣ１２ → abc12)."""
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """jieba words (search mode: 公积金贷款 also gives 公积金, 贷款) without stop words, synonyms folded."""
    _load()
    import jieba

    fold = synonyms or {}
    out: list[str] = []
    for w in jieba.lcut_for_search(normalise(text)):
        w = w.strip()
        if w and _TERM.match(w) and w not in _STOP:
            out.append(fold.get(w, w))
    return out


def pairs(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters (公积金 → 公积, 积金)."""
    out: list[str] = []
    for run in _CJK.findall(normalise(text)):
        out.extend(p for p in (run[i:i + 2] for i in range(len(run) - 1)) if p not in PAIR_STOP)
    return out


def terms(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """What is indexed and searched: the words, then the character pairs that are not already words."""
    return terms_and_words(text, synonyms)[0]


def terms_and_words(text: str, synonyms: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(terms, the words before the synonyms are folded): a search needs both, and segmenting is its costliest
    step for a long description (jieba runs once)."""
    plain = words(text, None)
    fold = synonyms or {}
    ws = [fold.get(w, w) for w in plain]
    seen = set(ws)
    return ws + [p for p in pairs(text) if p not in seen], plain


def idf(term: str) -> float:
    _load()
    value = _idf.get(term)
    if value is None:
        # A pair or word jieba's table does not know is rarer than the median word, not commoner.
        return _idf_default * (0.8 if len(term) == 2 else 1.0)
    return value


def idfs(terms: Iterable[str]) -> dict[str, float]:
    """{term: idf(term)} for many terms at once (the search weighs a thousand title terms per question)."""
    _load()
    pair, other = _idf_default * 0.8, _idf_default
    return {t: _idf.get(t, pair if len(t) == 2 else other) for t in terms}


def fold_map(groups: Iterable[list[str]]) -> dict[str, str]:
    """Synonym groups → {word: the group's first word}."""
    out: dict[str, str] = {}
    for group in groups:
        words_ = [normalise(w) for w in group if w]
        for w in words_[1:]:
            out.setdefault(w, words_[0])
    return out


def score(query: Counter[str], head: Counter[str], body: Counter[str], head_len: int, body_len: int) -> float:
    """BM25 over two fields (title and question forms count twice the answer), with jieba's IDF."""
    k1, b, avg_head, avg_body = 1.2, 0.75, 30.0, 200.0
    total = 0.0
    for term in query:
        tf = 2.0 * head.get(term, 0) / (1 - b + b * head_len / avg_head) + body.get(term, 0) / (1 - b + b * body_len / avg_body)
        if tf:
            total += idf(term) * tf * (k1 + 1) / (tf + k1)
    return total


def highlight(text: str, query_terms: Iterable[str], max_chars: int = 160) -> list[tuple[str, bool]]:
    """The passage of `text` that best matches the query, as (piece, matched) pieces for the template to mark.

    The passage is the sentence with the most query weight (and its neighbour if short); matched pieces are the
    query words and pairs found in it. Returned as pieces, not HTML, so the template escapes everything.
    """
    wanted = {t for t in query_terms if len(t) >= 2}
    sentences = [s for s in re.split(r"(?<=[。！？!?；;\n])", text or "") if s.strip()]
    if not sentences:
        return []

    def weight(s: str) -> float:
        n = normalise(s)
        return sum(idf(t) for t in wanted if t in n)

    best = max(range(len(sentences)), key=lambda i: weight(sentences[i]))
    passage = sentences[best].strip()
    if len(passage) < 40 and best + 1 < len(sentences):
        passage += sentences[best + 1].strip()
    if len(passage) > max_chars:
        passage = passage[:max_chars] + "…"
    # Only the terms the passage holds go into the pattern: a long question has hundreds of terms, and compiling an
    # alternation of all of them cost more than the rest of the passage's work. The test is looser than the
    # pattern's (normalised or lower-cased text), so no term the pattern would match is left out.
    folded, lowered = normalise(passage), passage.lower()
    present = [t for t in wanted if t in folded or t in lowered]
    if not present:
        return [(passage, False)]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(present, key=lambda t: (-len(t), t))), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    last = 0
    for m in pattern.finditer(passage):
        if m.start() > last:
            pieces.append((passage[last:m.start()], False))
        pieces.append((m.group(0), True))
        last = m.end()
    if last < len(passage):
        pieces.append((passage[last:], False))
    return pieces


def query_terms(text: str, synonyms: Mapping[str, str] | None = None, limit: int = 64) -> Counter[str]:
    """The query's terms with their counts, the `limit` rarest kept (a long description has hundreds)."""
    counts = Counter(terms(text, synonyms))
    keep = sorted(counts, key=lambda t: (-idf(t), t))[:limit]
    return Counter({t: counts[t] for t in keep})
