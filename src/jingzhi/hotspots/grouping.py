"""Incremental hotspot detection: a new message joins the groups it matches, or starts its own, in milliseconds.

Two messages are *about the same problem* when, within `window` of each other and not in two different
districts, they name the same place (丽发新城小区, 金鼎村, 黄兴路) and their problem words are similar (cosine
of jieba TF-IDF with places left out ≥ `same_place_similarity`), or one of them names no place and they are
near copies of each other (≥ `copy_similarity`). A group is a connected set of such pairs (union-find).

Why this is incremental and still equal to a batch run: the pair test is a pure function of the two messages
(fixed IDF table, fixed thresholds), and connected components do not depend on the order the pairs are found.
A new message is compared only with the candidates an inverted index gives — messages sharing a place or one
of its top problem words, in the same or a neighbouring time bucket — so its cost does not grow with the
number of messages indexed, only with how many name the same place at the same time.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jingzhi.hotspots import text


@dataclass(frozen=True)
class Message:
    """One message (a citizen's complaint or a case) as detection reads it."""

    id: str
    title: str
    detail: str
    at: datetime
    supporters: int = 0
    reporter: str = ""
    kind: str = ""
    severity: float = 0.0  # 0…1; the caller's own judgement (e.g. urgent cases); keywords add to it
    district: str = ""  # the county/district when the caller knows it; else read from the text (A3区)


@dataclass(frozen=True)
class Settings:
    """Thresholds of the pair test and the heat index; defaults chosen on the TipDM data (docs/hotspots.md)."""

    window: timedelta = timedelta(days=30)
    same_place_similarity: float = 0.3
    copy_similarity: float = 0.8
    index_terms: int = 2
    trend_period: timedelta = timedelta(days=7)


@dataclass
class Features:
    """What the pair test reads of one message: place trigrams, problem vector, districts, index terms."""

    places: frozenset[str]
    place_names: tuple[str, ...]
    districts: frozenset[str]
    vector: text.Vector
    top_terms: tuple[str, ...]
    severity: float


_SEVERE = ("安全隐患", "隐患", "危险", "死亡", "身亡", "受伤", "伤人", "火灾", "起火", "坍塌", "倒塌", "爆炸", "中毒",
           "漏电", "触电", "溺水", "污染", "有毒", "恶臭", "塌陷", "坠落", "威胁", "生命")


def features(message: Message, settings: Settings) -> Features:
    """What the pair test reads of one message (computed once, when it arrives)."""
    # The place a message is about is in its title; a description names many places in passing (its
    # author's address, a signature). Only without a place in the title do the first two in the text count.
    names = text.places(message.title) or text.places(message.detail[: text.DETAIL_CHARS])[:2]
    grams = frozenset(g for p in names for g in text.place_grams(p))
    vector = text.problem_vector(message.title, message.detail, places=names)
    top = tuple(t for t, _ in sorted(vector.weights.items(), key=lambda kv: (-kv[1], kv[0]))[: settings.index_terms])
    districts = (frozenset([message.district]) if message.district else
                 frozenset(d for d in text.divisions(message.title + " " + message.detail) if not d.endswith("市")))
    blob = message.title + message.detail
    severity = min(1.0, message.severity + 0.25 * sum(1 for w in _SEVERE if w in blob))
    return Features(grams, tuple(names), districts, vector, top, severity)


def same_problem(a: Features, at_a: datetime, b: Features, at_b: datetime, settings: Settings) -> bool:
    """The pair test: same place and a similar problem, or a near copy, within the window."""
    if abs(at_a - at_b) > settings.window:
        return False
    if a.districts and b.districts and not (a.districts & b.districts):
        return False
    similarity = a.vector.cosine(b.vector)
    if a.places & b.places:
        return similarity >= settings.same_place_similarity
    if a.places and b.places:
        return False  # two named places: the same complaint about two communities is two hotspots
    return similarity >= settings.copy_similarity


@dataclass
class Hotspot:
    """A group of two or more messages about one problem at one place, with its heat."""

    ids: list[str]
    place: str
    start: datetime
    end: datetime
    summary: str
    heat: float
    count: int
    reporters: int
    supporters: int
    trend: tuple[int, int]  # messages in the last trend period, and in the one before
    members: list[Message] = field(default_factory=list)


class Detector:
    """The live index: add messages one at a time (`add`) or all at once (`add_all`); read `hotspots()`."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._messages: list[Message] = []
        self._features: list[Features] = []
        self._parent: list[int] = []
        self._members: dict[int, list[int]] = {}
        self._by_id: dict[str, int] = {}
        # (key, time bucket) → message positions; keys are "p:" + place or "t:" + problem term.
        self._index: dict[tuple[str, int], list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._messages)

    def _find(self, i: int) -> int:
        root = i
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[i] != root:
            self._parent[i], i = root, self._parent[i]
        return root

    def _union(self, i: int, j: int) -> None:
        a, b = self._find(i), self._find(j)
        if a == b:
            return
        if len(self._members[a]) < len(self._members[b]):
            a, b = b, a
        self._parent[b] = a
        self._members[a].extend(self._members.pop(b))

    def add(self, message: Message) -> str:
        """Index one message and join it to every group it matches; returns the id of its group's first message.

        A message already indexed (same id) is not added twice.
        """
        if message.id in self._by_id:
            return self._group_id(self._by_id[message.id])
        return self.add_with_features(message, features(message, self.settings))

    def add_with_features(self, message: Message, f: Features) -> str:
        """`add` with the message's features already computed (a benchmark fills its index this way)."""
        i = len(self._messages)
        self._messages.append(message)
        self._features.append(f)
        self._parent.append(i)
        self._members[i] = [i]
        self._by_id[message.id] = i
        bucket = bucket_of(message.at, self.settings)
        seen: set[int] = set()
        for key in index_keys(f):
            for b in (bucket - 1, bucket, bucket + 1):
                for j in self._index.get((key, b), ()):
                    if j in seen:
                        continue
                    seen.add(j)
                    if self._find(j) != self._find(i) and same_problem(
                        f, message.at, self._features[j], self._messages[j].at, self.settings
                    ):
                        self._union(i, j)
            self._index[(key, bucket)].append(i)
        return self._group_id(i)

    def add_all(self, messages: Iterable[Message]) -> None:
        for m in messages:
            self.add(m)

    def _group_id(self, i: int) -> str:
        return self._messages[min(self._members[self._find(i)])].id

    def groups(self) -> list[list[str]]:
        """Every group of two or more messages, as sorted id lists (for comparing runs)."""
        return sorted(sorted(self._messages[k].id for k in ks) for ks in self._members.values() if len(ks) >= 2)

    def hotspots(self, *, now: datetime | None = None) -> list[Hotspot]:
        """Groups of two or more messages, hottest first. `now` (default: the latest message) sets the trend."""
        if not self._messages:
            return []
        now = now or max(m.at for m in self._messages)
        found = [self._hotspot(ks, now) for ks in self._members.values() if len(ks) >= 2]
        found.sort(key=lambda h: (-h.heat, h.start, h.ids[0]))
        return found

    def _hotspot(self, positions: Sequence[int], now: datetime) -> Hotspot:
        return summarize([(self._messages[k], self._features[k]) for k in positions], now=now, settings=self.settings)


def summarize(group: Sequence[tuple[Message, Features]], *, now: datetime, settings: Settings | None = None) -> Hotspot:
    """A group's place, span, one-line summary and heat (the same for the library and the product)."""
    settings = settings or Settings()
    ordered = sorted(group, key=lambda mf: (mf[0].at, mf[0].id))
    members = [m for m, _ in ordered]
    feats = [f for _, f in ordered]
    reporters = len({m.reporter or m.id for m in members})
    supporters = sum(max(0, m.supporters) for m in members)
    period = settings.trend_period
    recent = sum(1 for m in members if now - period < m.at <= now)
    previous = sum(1 for m in members if now - 2 * period < m.at <= now - period)
    growth = max(-1.0, min(3.0, (recent - previous) / (previous + 1)))
    severity = max(f.severity for f in feats)
    kinds = len({m.kind for m in members if m.kind})
    # Distinct people weigh most (one person writing five times is not five complaints); supporters and
    # growth on a log / bounded scale so one viral message does not outrank a real cluster.
    heat = (10 * math.log2(1 + reporters) + 4 * math.log2(1 + len(members)) + 3 * math.log2(1 + supporters)
            + 5 * growth + 5 * severity + 2 * max(0, kinds - 1))
    return Hotspot(
        ids=[m.id for m in members], place=_place(feats), start=members[0].at, end=members[-1].at,
        summary=_summary(members, feats), heat=round(heat, 2), count=len(members), reporters=reporters,
        supporters=supporters, trend=(recent, previous), members=members,
    )


def features_to_json(f: Features) -> dict[str, Any]:
    """Features as stored beside a case (hotspots.models.CaseSignal)."""
    return {"places": sorted(f.places), "place_names": list(f.place_names), "districts": sorted(f.districts),
            "vector": f.vector.weights, "top_terms": list(f.top_terms), "severity": f.severity}


def features_from_json(d: dict[str, Any]) -> Features:
    return Features(frozenset(d["places"]), tuple(d["place_names"]), frozenset(d["districts"]),
                    text.Vector({str(k): float(v) for k, v in d["vector"].items()}), tuple(d["top_terms"]),
                    float(d["severity"]))


def index_keys(f: Features) -> list[str]:
    """The inverted-index keys of a message: its place trigrams and its top problem words."""
    return [f"p:{p}" for p in sorted(f.places)] + [f"t:{t}" for t in f.top_terms]


def bucket_of(at: datetime, settings: Settings) -> int:
    """The time bucket (one window wide); a pair within the window is in the same or neighbouring buckets."""
    return int(at.timestamp()) // max(1, int(settings.window.total_seconds()))


def _place(feats: Sequence[Features]) -> str:
    """The place most of the group names (with its district when there is one): the most shared trigram's
    most frequent spelling."""
    grams: Counter[str] = Counter(g for f in feats for g in f.places)
    districts: Counter[str] = Counter(d for f in feats for d in f.districts)
    district = districts.most_common(1)[0][0] if districts else ""
    if not grams:
        return district
    top = max(grams.items(), key=lambda kv: (kv[1], kv[0]))[0]
    spellings: Counter[str] = Counter(p for f in feats for p in dict.fromkeys(f.place_names) if top in p)
    place = max(spellings.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
    return f"{district}{place}"


def _summary(members: Sequence[Message], feats: Sequence[Features]) -> str:
    """The title of the most central message (most similar to the rest), as one line."""
    best, best_score = 0, -1.0
    for i, f in enumerate(feats):
        score = sum(f.vector.cosine(g.vector) for j, g in enumerate(feats) if j != i)
        if score > best_score + 1e-9:
            best, best_score = i, score
    return " ".join((members[best].title or members[best].detail[:60]).split())


def detect(messages: Iterable[Message], settings: Settings | None = None, *, now: datetime | None = None) -> list[Hotspot]:
    """Batch detection: every message in time order through a fresh detector."""
    detector = Detector(settings)
    detector.add_all(sorted(messages, key=lambda m: (m.at, m.id)))
    return detector.hotspots(now=now)
