"""Duplicates at intake: the open (or recently closed) cases a call being typed is probably about.

The call's text is read exactly as hotspot detection reads a case (grouping.features): its places, its problem
vector and its index keys. The candidates come from the same inverted index (SignalKey), in the same county and
time buckets, so the cost is that of the cases that name the same place or problem word, not of all cases.
Each candidate gets a score from 0 to 1 (`score`), and the operator sees the best few with one button to register
the call as a duplicate of one of them (cases.services.intake, `duplicate_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from jingzhi.cases.models import OPEN_STATUSES, Case, Status
from jingzhi.hotspots import grouping, text
from jingzhi.hotspots.models import CaseSignal, SignalKey
from jingzhi.hotspots.services import SETTINGS, scope_of
from jingzhi.org.models import Division, User

# A closed case is still offered for this long: a caller often rings again about a problem that came back.
RECENTLY_CLOSED = timedelta(days=30)
SHOWN = 5
MIN_SCORE = 0.3  # below this a candidate is noise, not a possible duplicate
LIKELY = 0.6  # from here the panel calls it a likely duplicate
MAX_CANDIDATES = 200  # the candidates sharing most keys; keeps the worst case bounded
MIN_TEXT = 4


@dataclass(frozen=True)
class Suggestion:
    """A case the call is probably about: its score (0…1), and why (shared place, text similarity)."""

    case: Case
    score: float
    similarity: float
    same_place: bool

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY


def score(new: grouping.Features, old: grouping.Features) -> tuple[float, float, bool]:
    """(score, similarity, same place). The place decides the scale, the problem words the position on it:
    the same place with the same problem is near 1; the same place with another problem stays low (about 0.35
    to 0.45); two different named places are never more than 0.3; no place on one side needs a near copy."""
    similarity = new.vector.cosine(old.vector)
    shared = bool(new.places & old.places)
    if shared:
        value = 0.3 + 0.7 * similarity
    elif new.places and old.places:
        value = 0.3 * similarity
    else:
        value = 0.85 * similarity
    return min(1.0, round(value, 3)), similarity, shared


def call_features(*, title: str, content: str, address: str, county: Division, at: datetime) -> grouping.Features:
    """What detection reads of the call; the address's places count as the call's places too."""
    message = grouping.Message(id="new", title=title, detail=content, at=at, district=county.code)
    f = grouping.features(message, SETTINGS)
    extra = text.places(address) if address else []
    if extra:
        grams = frozenset(g for p in extra for g in text.place_grams(p))
        f = grouping.Features(f.places | grams, (*f.place_names, *extra), f.districts, f.vector, f.top_terms, f.severity)
    return f


def duplicate_suggestions(*, user: User, title: str, content: str = "", address: str = "", division_code: str = "",
                          now: datetime | None = None, limit: int = SHOWN) -> list[Suggestion]:
    """The cases `user` may see that the call is probably about, best first (at most `limit`)."""
    title, content, address = (title or "").strip()[:200], (content or "").strip()[:2000], (address or "").strip()[:200]
    if len(title) + len(content) < MIN_TEXT or not division_code:
        return []
    division = Division.objects.filter(code=division_code[:20]).first()
    if division is None:
        return []
    county = scope_of(division)
    at = now or timezone.now()
    f = call_features(title=title, content=content, address=address, county=county, at=at)
    keys = [k[:40] for k in grouping.index_keys(f)]
    if not keys:
        return []
    bucket = grouping.bucket_of(at, SETTINGS)
    # The candidates sharing the most keys first (a repeat of a case shares all its place trigrams and top words);
    # a common word alone ("物业") would otherwise bring thousands.
    ranked = (SignalKey.objects.filter(scope=county.code, key__in=keys, bucket__in=(bucket - 1, bucket))
              .values("signal_id").annotate(shared=Count("id")).order_by("-shared", "-signal_id")[:MAX_CANDIDATES])
    signal_ids = [row["signal_id"] for row in ranked]
    # Two short queries driven by primary keys. (One query joining the cases with an OR on their status let
    # SQLite start from the status index, that is from every open case.)
    rows = list(CaseSignal.objects.filter(pk__in=signal_ids, at__gte=at - SETTINGS.window, at__lte=at)
                .values_list("case_id", "features", "case__status", "case__closed_at"))
    wanted = [r[0] for r in rows if r[2] in OPEN_STATUSES
              or (r[2] == Status.CLOSED and r[3] is not None and r[3] >= at - RECENTLY_CLOSED)]
    seen = set(Case.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    candidates = [(case_id, data) for case_id, data, _status, _closed in rows if case_id in seen]
    scored: list[tuple[float, float, bool, int]] = []
    for case_id, data in candidates:
        old = grouping.features_from_json(data)
        value, similarity, shared = score(f, old)
        if value >= MIN_SCORE:
            scored.append((value, similarity, shared, case_id))
    if not scored:
        return []
    scored.sort(key=lambda row: (-row[0], -row[3]))
    best = scored[: limit * 2]
    cases = Case.objects.select_related("division", "lead_unit").in_bulk([row[3] for row in best])
    found = []
    for value, similarity, shared, case_id in best:
        case = cases[case_id]
        if case.division_id == division.pk and value >= MIN_SCORE:  # the exact village or street counts a little
            value = min(1.0, round(value + 0.05, 3))
        found.append(Suggestion(case, value, round(similarity, 3), shared))
    found.sort(key=lambda s: (-s.score, -s.case.pk))
    return found[:limit]
