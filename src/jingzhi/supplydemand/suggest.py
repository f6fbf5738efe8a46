"""Suggestions: for a need, the best capabilities of other enterprises (and the other way round), each with reasons.

Two steps, so a suggestion never scans every listing (ADR 029):
1. Candidates from the term table (ListingTerm): one grouped query sums, over the listing's own terms, the weight
   each open listing of the other kind shares with it (the dot product of the two TF-IDF vectors), plus the
   industry keys; the best CANDIDATES listings are kept.
2. Each candidate is scored in Python on its stored terms and fields: text similarity, industry agreement, place,
   capacity against quantity, timing. The reasons say which words matched and how each part scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from jingzhi.supplydemand import places, text
from jingzhi.supplydemand.models import Listing, ListingTerm

CANDIDATES = 60
QUERY_TERMS = 10
# How the score (0–100) is made up; the reasons show each part.
WEIGHTS = {"text": 50.0, "industry": 20.0, "place": 15.0, "capacity": 10.0, "timing": 5.0}
PLACE_SCORE = {"county": 1.0, "city": 0.6, "province": 0.3, "": 0.0}
# An industry key counts in the candidate query like a shared word of this weight.
INDUSTRY_KEY_WEIGHT = 0.15
DAYS_PER_MONTH = 30


def listing_terms(listing: Listing) -> list[ListingTerm]:
    """The term rows of a listing (not saved): its words and pairs, and its industry keys."""
    common = {"listing": listing, "kind": listing.kind, "enterprise_id": listing.enterprise_id,
              "valid_until": listing.valid_until}
    rows = [ListingTerm(term=t, weight=w, **common) for t, w in text.vector(listing.title, listing.description).items()]
    rows += [ListingTerm(term=k, weight=1.0, **common) for k in text.industry_terms(listing.industry)]
    return rows


def index_listing(listing: Listing) -> None:
    """Replace the listing's term rows (inside the caller's transaction); a closed listing has none."""
    ListingTerm.objects.filter(listing=listing).delete()
    if listing.status == Listing.Status.OPEN:
        ListingTerm.objects.bulk_create(listing_terms(listing))


@dataclass
class Suggestion:
    listing: Listing
    score: float
    parts: dict[str, float]
    words: list[str]
    reasons: dict[str, Any] = field(default_factory=dict)


def _other(kind: str) -> str:
    return Listing.Kind.CAPABILITY if kind == Listing.Kind.NEED else Listing.Kind.NEED


def _industry(a: str, b: str) -> tuple[float, str]:
    """(agreement 0–1, the shared prefix) of two GB/T 4754 codes: class 1, group 0.75, division 0.5, section 0.1."""
    a, b = (a or "").upper(), (b or "").upper()
    if not a or not b:
        return 0.0, ""
    for n, value in ((5, 1.0), (4, 0.75), (3, 0.5), (1, 0.1)):
        if len(a) >= n and len(b) >= n and a[:n] == b[:n]:
            return value, a[:n]
    return 0.0, ""


def _plain(value: Decimal) -> str:
    """A quantity as people write it: 50100, 12.5 (no trailing zeros, no exponent)."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _capacity(need: Listing, capability: Listing, today: date) -> tuple[float, dict[str, Any]]:
    """Does the capability's monthly capacity cover the need's quantity by its date? (share 0–1, detail)."""
    if need.unit != capability.unit:
        return 0.0, {"units_differ": True, "need_unit": need.unit, "capability_unit": capability.unit}
    start = max(today, capability.available_from or today)
    months = max(1.0, ((need.wanted_by or start) - start).days / DAYS_PER_MONTH)
    supply = capability.quantity * Decimal(str(round(months, 2)))
    share = float(min(Decimal(1), supply / need.quantity)) if need.quantity > 0 else 1.0
    return share, {"months": round(months, 1), "supply": _plain(supply), "quantity": _plain(need.quantity), "unit": need.unit}


def _timing(need: Listing, capability: Listing, today: date) -> tuple[float, int]:
    """1 when the capability is available by the need's date and still open then; (score, days late)."""
    start = capability.available_from or today
    wanted = need.wanted_by or today
    late = (start - wanted).days
    if late > 0:
        return 0.0, late
    return (1.0 if capability.valid_until >= wanted else 0.5), 0


def score_pair(source: Listing, source_terms: dict[str, float], other: Listing, other_terms: dict[str, float],
               today: date) -> Suggestion:
    """The score of one pair with its parts and reasons (the same whichever side asks)."""
    need, capability = (source, other) if source.kind == Listing.Kind.NEED else (other, source)
    shared = [t for t in source_terms if t in other_terms and not t.startswith("#")]
    similarity = sum(source_terms[t] * other_terms[t] for t in shared)
    industry, prefix = _industry(source.industry, other.industry)
    near = places.nearness(source.place_code, other.place_code)
    capacity, capacity_detail = _capacity(need, capability, today)
    timing, late = _timing(need, capability, today)
    parts = {"text": min(1.0, similarity), "industry": industry, "place": PLACE_SCORE[near], "capacity": capacity,
             "timing": timing}
    total = sum(WEIGHTS[k] * v for k, v in parts.items())
    words = sorted((t for t in shared if len(t) > 1), key=lambda t: -source_terms[t] * other_terms[t])
    # Dictionary words first; a bare character pair (型密) is shown only when no word is shared. A word inside a
    # longer shown one says nothing more (密封圈 covers 密封).
    known = [w for w in words if text.is_word(w)] or words
    shown = [w for w in known if not any(w != o and w in o for o in known[:8])][:6]
    reasons = {"words": shown, "industry": prefix, "place": near, "capacity": capacity_detail, "late_days": late,
               "parts": {k: round(WEIGHTS[k] * v, 1) for k, v in parts.items()}}
    return Suggestion(other, round(total, 1), parts, shown, reasons)


def _candidates(source: Listing, terms: dict[str, float], today: date) -> list[int]:
    """Ids of the best CANDIDATES open listings of the other kind and of other enterprises, by the weight they share
    with `terms` (a dot product over the term table's posting lists).

    The query terms and their weights are joined as a VALUES table: a hash join on the term. A CASE over the terms
    (what the ORM would write) compares every posting with every term under the database's collation, and on
    PostgreSQL cost ten times the index scan itself.
    """
    if not terms:
        return []
    table = ListingTerm._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(terms))
    params: list[Any] = [x for t, w in terms.items() for x in (t, w)]
    sql = (
        f"SELECT t.listing_id, SUM(t.weight * q.w) AS s FROM {table} t "  # noqa: S608 — table name from the model; values are parameters
        "JOIN (SELECT column1 AS term, CAST(column2 AS DOUBLE PRECISION) AS w "
        f"FROM (VALUES {values}) AS v) q ON q.term = t.term "
        "WHERE t.kind = %s AND t.valid_until >= %s AND t.enterprise_id <> %s "
        "GROUP BY t.listing_id ORDER BY s DESC, t.listing_id LIMIT %s"
    )
    with connection.cursor() as c:
        c.execute(sql, [*params, _other(source.kind), today, source.enterprise_id, CANDIDATES])
        return [row[0] for row in c.fetchall()]


def suggestions_for(source: Listing, *, limit: int = 10, today: date | None = None) -> list[Suggestion]:
    """The best `limit` open listings of the other kind and of other enterprises for `source`, best first."""
    today = today or timezone.localdate()
    # The listing's own terms are recomputed (jieba, well under a millisecond) rather than read back: the same
    # values as its stored rows, one round trip fewer.
    own = {t.term: t.weight for t in listing_terms(source)}
    # Candidates come from the heaviest words only (the light ones are boilerplate pairs with long posting lists);
    # every shared term still counts in the score below.
    words = sorted((t for t in own if not t.startswith("#")), key=lambda t: -own[t])[:QUERY_TERMS]
    query = {t: own[t] for t in words} | {t: INDUSTRY_KEY_WEIGHT for t in own if t.startswith("#")}
    ids = _candidates(source, query, today)
    if not ids:
        return []
    theirs: dict[int, dict[str, float]] = {i: {} for i in ids}
    for lid, term, w in ListingTerm.objects.filter(listing_id__in=ids, term__in=list(own)).values_list(
            "listing_id", "term", "weight"):
        theirs[lid][term] = w
    listings = Listing.objects.select_related("enterprise").in_bulk(ids)
    scored = [score_pair(source, own, listings[i], theirs[i], today) for i in ids if i in listings]
    scored.sort(key=lambda s: (-s.score, s.listing.pk))
    return scored[:limit]
