"""The reply check (答复质量, issue 17): a draft reply against its request → findings, a score and a level.

Pure functions, no database: the rules and phrase lists come in as `Rules` (built from the ReplyRule and
ReplyPhrase rows by reply_services.load_rules, or from reply_defaults). Each finding names the rule that fired,
its dimension, the points it takes off 100 and its reason in the user's language.

- relevance: the request's key points — places (小区, 路, 村 …, jieba's ns), objects (nouns of the title) and the
  demand (the title's verbs) — and which of them the reply names (a word, or most of its character pairs, so
  景蓉华苑 written 景蓉花苑 still counts), and a request that asks *when* answered without a date;
- completeness: what was found or done, what will be done, or why not; a date when a step is promised, a contact
  when the requester is sent elsewhere; a reply that only says the request was received or forwarded;
- specificity: substance left after greetings and thanks, concrete facts (dates, figures, documents), and the
  nearest of the unit's replies to *different* requests (a near copy is a template answer), and a reply without one
  sentence that states a finding, a measure taken or a fact (general terms only);
- on time; forbidden or impolite phrases; personal data (mobile and ID numbers, the requester's name);
  a refusal without a policy cited; a reply that asks for details instead of answering.

`signals` finds, `check` weighs: the weights are fitted to the hand labels (benchmarks/reply_fit.py, ADR 025);
a rule at weight 0 still reports its finding, as advice.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from jingzhi.knowledge.reply_defaults import DEFAULT_PHRASES, DEFAULT_RULES

SEND, REVISE, RETURN = "send", "revise", "return"
LEVEL_LABELS = {SEND: "可发", REVISE: "建议修改", RETURN: "退回修改"}

_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z])")
# A contact: a landline or hotline number, an office address or a web address.
_CONTACT = re.compile(r"\d{3,4}[-－—]\d{3,8}|\b1\d{4}\b|\b\d{7,8}\b|电话|热线|地址|网址|窗口|http|室")
_TIME = re.compile(r"\d{1,4}\s*(?:年|月|日|号|天|个?工作日|小时|周)|年底|年内|月底|月中|上旬|中旬|下旬|本周|下周|近日|春节前|[一二三四五六七八九十两]+(?:个月|天|周)")
_FACT = re.compile(r"\d+(?:\.\d+)?\s*(?:年|月|日|号|元|万|米|公里|平方|亩|户|人|个|栋|台|座|所|套|辆|%|条|次|班|路)|《[^》]{2,40}》|〔\d{4}〕|\[\d{4}\]")
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
# The request asks *when* (the title or the start of its description): the answer must carry a date or a time limit.
_WHEN = re.compile(r"何时|什么时候|多久|啥时|哪年|哪一年|时间表|几时|多长时间")
_HANDLE = re.compile(r"[“\"]?[A-Za-z]{1,3}\d{4,}[”\"]?")
_DIVISION = re.compile(r"^[a-z]\d*[市县区]?$|^[a-z]\d+$")
_PLACE_END = ("路", "街", "道", "巷", "小区", "村", "镇", "乡", "社区", "苑", "园", "城", "广场", "大道", "学校", "中学", "小学",
              "幼儿园", "医院", "市场", "公司", "站", "桥", "湾", "庭", "府", "组", "厂", "局", "所", "院", "山", "湖", "河")
# Words a title is made of that are not a key point of this request.
_TITLE_STOP = frozenset(["问题", "情况", "反映", "咨询", "投诉", "举报", "建议", "希望", "请求", "要求", "关于", "呼吁", "质疑", "有关",
                         "部门", "政府", "领导", "相关", "尽快", "解决", "处理", "一下", "的", "了", "和", "与", "及", "在", "对", "是",
                         "不", "没有", "还", "能否", "是否", "怎么", "什么", "为什么", "如何", "严重", "多次", "再次", "强烈", "急需",
                         "市民", "居民", "业主", "群众", "老百姓", "本人", "我们", "我", "你们", "请", "能", "可以", "给", "帮", "帮助",
                         "存在", "进行", "出现", "一直", "至今", "长期", "何时", "哪些", "那么", "这么", "这样", "为何", "多", "大",
                         "小", "好", "新", "老", "个", "该", "被", "让", "太", "很", "都", "就", "也", "又", "等", "做", "会", "要", "有",
                         "无", "吗", "呢", "吧", "啊"])
_PAIR_CHARS = re.compile(r"[\u4e00-\u9fff]")

_lock = threading.Lock()
_ready = False


def _jieba() -> None:
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _ready = True


@dataclass(frozen=True)
class Rule:
    weight: int
    threshold: float
    blocking: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class Rules:
    rules: Mapping[str, Rule]
    phrases: Mapping[str, tuple[str, ...]]

    def on(self, code: str) -> Rule | None:
        rule = self.rules.get(code)
        return rule if rule is not None and rule.enabled else None

    def threshold(self, code: str, default: float) -> float:
        rule = self.rules.get(code)
        return rule.threshold if rule is not None else default


def default_rules() -> Rules:
    return Rules({code: Rule(weight, threshold, blocking) for code, weight, threshold, blocking, _d in DEFAULT_RULES},
                 {kind: tuple(values) for kind, values in DEFAULT_PHRASES.items()})


@dataclass(frozen=True)
class Request:
    title: str
    content: str = ""
    division: str = ""
    category: str = ""
    received_at: datetime | None = None
    deadline: datetime | None = None
    names: tuple[str, ...] = ()  # the requester's name(s): must not appear in a public reply


@dataclass(frozen=True)
class Finding:
    code: str
    dimension: str  # relevance | completeness | specificity | timeliness | wording | privacy | policy
    points: int
    reason: str
    blocking: bool = False


@dataclass
class KeyPoint:
    kind: str  # place | object | demand
    word: str
    addressed: bool = False


@dataclass
class Result:
    score: int
    level: str
    findings: list[Finding]
    key_points: list[KeyPoint]
    dimensions: dict[str, int] = field(default_factory=dict)  # relevance / completeness / specificity: 1–3

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def as_json(self) -> dict[str, object]:
        return {"score": self.score, "level": self.level, "dimensions": self.dimensions,
                "findings": [{"code": f.code, "dimension": f.dimension, "points": f.points, "reason": f.reason,
                              "blocking": f.blocking} for f in self.findings],
                "key_points": [{"kind": k.kind, "word": k.word, "addressed": k.addressed} for k in self.key_points]}


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def substance(reply: str, rules: Rules) -> str:
    """The reply without its greetings, thanks, handles, signature dates and the "received, forwarded" formulas."""
    text = _HANDLE.sub("", normalise(reply))
    kept = []
    carriers = rules.phrases.get("boilerplate", ()) + rules.phrases.get("transfer", ())
    for sentence in _SENTENCE.split(text):
        s = re.sub(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|\d{4}-\d{1,2}-\d{1,2}", "", sentence).strip(" ，,:：!！")
        rest = s
        for phrase in carriers:
            rest = rest.replace(phrase, "")
        # A sentence that is mostly formula carries nothing of its own.
        if len(re.sub(r"[\W_]", "", rest)) >= max(6, len(s) // 3):
            kept.append(s)
    return "。".join(kept)


def key_points(request: Request, *, limit: int = 6) -> list[KeyPoint]:
    """Places, objects and the demand of the request: the title's most telling words (jieba's TF-IDF with its
    part of speech), then the content's, up to `limit`."""
    _jieba()
    seen: set[str] = set()
    found: list[KeyPoint] = []
    # Division codes of the anonymised data (A市, K1区) and of a real city's own name are not key points and make
    # jieba cut the next word wrongly (A市星沙 → 市星).
    strip = re.compile(r"[a-z]\d*[市县区]|" + re.escape(normalise(request.division)) if request.division else r"[a-z]\d*[市县区]")
    sources = ((strip.sub(" ", normalise(request.title)), 4), (strip.sub(" ", normalise(request.content or ""))[:300], 2))
    for source, top in sources:
        taken = 0
        for word, flag in _tags(source):
            if (taken >= top or len(found) >= limit or len(word) < 2 or word in seen or word in _TITLE_STOP
                    or _DIVISION.match(word) or not _PAIR_CHARS.search(word)):
                continue
            if flag == "ns" or (word.endswith(_PLACE_END) and len(word) >= 3):
                kind = "place"
            elif flag.startswith("v") and flag != "vn":
                kind = "demand"
            else:
                kind = "object"
            found.append(KeyPoint(kind, word))
            seen.add(word)
            taken += 1
    return found


_ALLOWED = frozenset({"ns", "n", "nz", "nt", "vn", "nr", "v", "an"})


def _tags(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) by TF-IDF weight, like jieba.analyse.extract_tags(withFlag=True), but the part of
    speech comes from jieba's dictionary instead of its HMM tagger (ten times faster; a new word the segmenter
    found, like a housing estate's name, counts as a proper noun)."""
    import jieba
    import jieba.analyse
    import jieba.posseg

    tfidf = jieba.analyse.default_tfidf
    tags = jieba.posseg.dt.word_tag_tab
    freq = Counter(w.strip() for w in jieba.cut(text) if len(w.strip()) >= 2 and w.strip() not in tfidf.stop_words)
    ranked = sorted(freq, key=lambda w: (-freq[w] * tfidf.idf_freq.get(w, tfidf.median_idf), w))
    out = []
    for word in ranked:
        flag = tags.get(word, "nz")
        if flag in _ALLOWED:
            out.append((word, flag))
    return out


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if _PAIR_CHARS.match(c)]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _named(word: str, reply: str, reply_pairs: set[str]) -> bool:
    """The reply names the point: the word itself, most of its character pairs (a typo, another order), or, for a
    short word, each of its characters (replies paraphrase: 焦煤 → 制煤厂的煤, 宰客 → 多收客人车费)."""
    if word in reply:
        return True
    pairs = _pairs(word)
    if len(pairs) >= 2 and len(pairs & reply_pairs) / len(pairs) >= 0.5:
        return True
    return len(word) <= 3 and all(ch in reply for ch in word)


def _has(text: str, phrases: Iterable[str]) -> bool:
    return any(p and p in text for p in phrases)


def bigram_vector(text: str) -> Counter[str]:
    chars = [c for c in normalise(text) if c.isalnum()]
    return Counter(a + b for a, b in zip(chars, chars[1:], strict=False))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) < len(b) else (b, a)
    dot = sum(v * large.get(k, 0) for k, v in small.items())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def nearest_peer(reply: str, peers: Sequence[tuple[str, str]]) -> tuple[float, str]:
    """The most similar of `peers` ((label, reply) of other requests) and its similarity, 0–1."""
    vector = bigram_vector(_HANDLE.sub("", reply))
    best, label = 0.0, ""
    for peer_label, text in peers:
        sim = cosine(vector, bigram_vector(_HANDLE.sub("", text)))
        if sim > best:
            best, label = sim, peer_label
    return best, label


@dataclass(frozen=True)
class Signal:
    """One rule's evidence before its weight is applied: `severity` 0–1 (graded rules) or 1 (a rule that fired);
    the points a finding takes off are `round(weight × severity)`, at least 1."""

    code: str
    dimension: str
    severity: float
    reason: str


def signals(
    request: Request, reply: str, rules: Rules | None = None, *, peers: Sequence[tuple[str, str]] = (),
    at: datetime | None = None, peer_similarity: tuple[float, str] | None = None,
) -> tuple[list[Signal], list[KeyPoint]]:
    """What each rule finds in `reply`, weights not applied (check() applies them; benchmarks/reply_fit.py fits
    them). A rule that is switched off still yields its signal: check() drops it."""
    rules = rules or default_rules()
    text = normalise(reply)
    core = substance(reply, rules)
    out: list[Signal] = []

    def add(code: str, dimension: str, reason: str, severity: float = 1.0) -> None:
        if severity > 0:
            out.append(Signal(code, dimension, min(1.0, severity), reason))

    # Relevance: each key point, named or not.
    points = key_points(request)
    reply_pairs = _pairs(text)
    for p in points:
        p.addressed = _named(p.word, text, reply_pairs)
    missing = [p for p in points if not p.addressed]
    share = 1.0 - len(missing) / len(points) if points else 1.0
    kinds = {"place": _("place"), "object": _("object"), "demand": _("demand")}
    if points and share < rules.threshold("relevance", 0.34):
        add("relevance", "relevance", _("The reply names few of the request's key points (%(named)d of %(all)d): it may not answer what was asked.")
            % {"named": len(points) - len(missing), "all": len(points)})
    if share < 1.0 - rules.threshold("relevance_point", 0.5):
        for p in missing[:3]:
            add("relevance_point", "relevance", _("The request's %(kind)s “%(word)s” is not addressed.") % {"kind": kinds[p.kind], "word": p.word})

    # Completeness.
    transfer = _has(text, rules.phrases.get("transfer", ()))
    substance_len = len(re.sub(r"[\W_]", "", core))
    done = _has(core, rules.phrases.get("done", ()))
    plan = _has(core, rules.phrases.get("plan", ()))
    reason = _has(core, rules.phrases.get("reason", ()))
    if transfer and substance_len < rules.threshold("transfer_only", 30) and not (done or reason):
        add("transfer_only", "completeness", _("The reply only says the request was received or forwarded; it says nothing about the matter itself."))
    if not (done or plan or reason):
        add("no_action", "completeness", _("The reply says neither what was found or done, nor what will be done, nor why not."))
    if plan and not done and not _TIME.search(core):
        add("no_time", "completeness", _("The reply promises a step but gives no date or time limit."))
    if _has(text, rules.phrases.get("referral", ())) and not _CONTACT.search(text):
        add("no_contact", "completeness", _("The reply sends the requester elsewhere without a telephone number or an address."))
    if _WHEN.search(normalise(request.title) + " " + normalise(request.content or "")[:300]) and not _TIME.search(core):
        add("unanswered_when", "relevance", _("The request asks when; the reply gives no date or time limit."))
    asks = [p for p in rules.phrases.get("ask_info", ()) if p and p in core]
    if asks:
        add("ask_info", "completeness", _("The reply asks for more details or says the matter cannot be verified (%(words)s) instead of answering it.")
            % {"words": "、".join(f"“{w}”" for w in asks[:3])})

    # Specificity. Graded: the shorter (the fewer facts), the larger the share of the rule's weight taken off.
    short_at = rules.threshold("short", 150)
    if substance_len < short_at:
        add("short", "specificity", _("The reply has only %(n)d characters of substance once greetings and thanks are left out.") % {"n": substance_len},
            1 - substance_len / short_at)
    facts = len(_FACT.findall(core))
    facts_at = rules.threshold("no_facts", 1)
    if facts < facts_at:
        add("no_facts", "specificity", _("The reply gives few concrete facts (dates, figures, documents, places): %(n)d.") % {"n": facts},
            (facts_at - facts) / facts_at)
    # A sentence is concrete if it states a finding or a measure taken (the "done" list) or a fact (date, figure,
    # document); a reply of any length without one answers in general terms only ("we will strengthen …").
    concrete = sum(1 for s in core.split("。") if len(s) >= 6 and (_FACT.search(s) or _has(s, rules.phrases.get("done", ()))))
    if concrete < rules.threshold("no_concrete", 1):
        add("no_concrete", "specificity", _("No sentence of the reply states a finding, a measure taken, a date, a figure or a document: it answers in general terms only."))
    similarity, peer = peer_similarity if peer_similarity is not None else nearest_peer(reply, peers)
    if similarity >= rules.threshold("template", 0.85) and substance_len < 600:
        add("template", "specificity", _("The reply is nearly the same (%(pct).0f%%) as the unit's reply to a different request (%(peer)s): a template answer.")
            % {"pct": similarity * 100, "peer": peer})

    # On time.
    if at is not None:
        deadline = request.deadline
        if deadline is None and request.received_at is not None:
            deadline = request.received_at + timedelta(days=rules.threshold("late", 15))
        if deadline is not None and at > deadline:
            days = max(1, math.ceil((at - deadline).total_seconds() / 86400))
            add("late", "timeliness", _("The reply is %(days)d day(s) past its deadline.") % {"days": days})

    # Wording and personal data.
    bad = [p for p in rules.phrases.get("forbidden", ()) if p and p in text]
    if bad:
        add("forbidden", "wording", _("Forbidden or impolite wording: %(words)s.") % {"words": "、".join(f"“{w}”" for w in bad[:5])})
    leaks = []
    if _MOBILE.search(text):
        leaks.append(_("a mobile number"))
    if _ID.search(text):
        leaks.append(_("an ID number"))
    if any(n and len(n.strip()) >= 2 and n.strip() in reply for n in request.names):
        leaks.append(_("the requester's name"))
    if leaks:
        add("personal_data", "privacy", _("Personal data that must not go public: %(what)s.") % {"what": "、".join(leaks)})
    if _has(core, rules.phrases.get("refusal", ())) and not _has(core, rules.phrases.get("policy", ())):
        add("refusal_no_policy", "policy", _("The reply refuses or denies without citing the policy, law or document it rests on."))
    return out, points


def check(
    request: Request, reply: str, rules: Rules | None = None, *, peers: Sequence[tuple[str, str]] = (),
    at: datetime | None = None, peer_similarity: tuple[float, str] | None = None,
) -> Result:
    """Check `reply` to `request`. `peers`: the unit's replies to other requests, as (label, text); a caller that
    compares many replies at once may pass `peer_similarity` (similarity, label) instead."""
    rules = rules or default_rules()
    found, points = signals(request, reply, rules, peers=peers, at=at, peer_similarity=peer_similarity)
    findings: list[Finding] = []
    for sig in found:
        rule = rules.on(sig.code)
        if rule is not None:
            # A rule at weight 0 is advice: its finding and reason are shown, no points are taken off.
            off = max(1, round(rule.weight * sig.severity)) if rule.weight > 0 else 0
            findings.append(Finding(sig.code, sig.dimension, off, sig.reason, rule.blocking))

    score = max(0, 100 - sum(f.points for f in findings))
    if any(f.blocking for f in findings) or score < rules.threshold("level_return", 45):
        level = RETURN
    elif score >= rules.threshold("level_send", 75):
        level = SEND
    else:
        level = REVISE

    def dim(name: str) -> int:
        lost = sum(f.points for f in findings if f.dimension == name)
        return 3 if lost == 0 else (2 if lost < 20 else 1)

    dimensions = {"relevance": dim("relevance"), "completeness": dim("completeness"), "specificity": dim("specificity")}
    return Result(score, level, findings, points, dimensions)
