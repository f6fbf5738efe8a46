"""Search over articles: the database finds candidates, one scoring function ranks them (ADR 018).

Two stages, the same on both databases, which give the same candidates and the same order:
1. Candidates. The question's terms (text.py) are looked up in `SearchTerm` (how many articles hold each term);
   the rarest ones, up to a budget of postings, are looked up one by one in the full-text index, which only says
   which articles hold each term (PostgreSQL: a GIN lookup per plain lexeme, no ranking, no detoasted tsvector;
   SQLite: one FTS5 match per term). Python scores these matches (each term present once, weighted by the
   base's IDF, normalised by the article's stored term counts) into two lists: the best `CANDIDATES` over the
   whole article, and the best `CANDIDATES` over the title and question forms alone (an article whose short title
   is all in the question is often the one, and its long answer may not rank it). Common terms (小区, 问题…) are
   left out of this stage: they match most of the base, and they cannot decide between articles.
   On PostgreSQL the term counts, the choice of the candidate terms and their matches are one statement
   (`_first_stage`); on SQLite (in-process, no round trip) two.
2. Rescoring in Python over the candidates' stored terms: BM25 over two fields with the base's own IDF (every
   term of the question, counted with 1 + ln n), plus `COVER` × the share of the article's title and question
   terms (by IDF) that the question contains. The body's term counts are read from `search_body_counts`, counted
   once at index time (`body_counts`), not from the body text.

The columns and tables are created by migrations 0002, 0004, 0006 and 0008 for the database in use; services keep
them and the term counts current through `index_articles`. Figures and how the constants were chosen: ADR 018.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models.expressions import RawSQL

from jingzhi.knowledge import text
from jingzhi.knowledge.models import Article, ArticleQuerySet, SearchTerm, Synonym

CANDIDATES = 40  # per list (whole article, title and questions): up to 80 rescored
CANDIDATE_TERMS = 64  # at most this many of the rarest question terms go to the full-text index
POSTINGS_BUDGET = 0.05  # … and their document counts add up to at most this share of the base (see ADR 018)
POSTINGS_FLOOR = 2000  # … or this many, whichever is more (a small base is searched with every term)
QUERY_TERMS = 200  # a pasted document: its 200 rarest distinct terms by jieba's table are enough
QUERY_CHARS = 400  # a long description: its first 400 characters are segmented (ADR 018, 2026-12-07 night)
COVER = 1.5  # weight of the title-coverage share against the best BM25 score (1.0)
HEAD_WEIGHT, K1, B, AVG_HEAD, AVG_BODY = 2.0, 1.2, 0.75, 30.0, 200.0
EXACT = 20  # candidates scored with exact term counts in the coverage share (_rescore)
WIDEN = 4  # the unscoped candidate lists are this many times longer (see _candidates)
MAX_TERM = 64  # longer "words" (a run of letters) are not indexed
_SYNONYMS_KEY = "knowledge:synonyms:v1"
_DOCS = ""  # the SearchTerm row that counts indexed articles


def synonym_map() -> dict[str, str]:
    """The city's synonym groups as {word: first word}; cached, dropped whenever a group is saved."""
    cached = cache.get(_SYNONYMS_KEY)
    if cached is None:
        cached = text.fold_map(s.word_list() for s in Synonym.objects.all())
        cache.set(_SYNONYMS_KEY, cached, 3600)
    return dict(cached)


def synonyms_changed() -> None:
    cache.delete(_SYNONYMS_KEY)


def _indexable(terms: list[str]) -> list[str]:
    return [t for t in terms if len(t) <= MAX_TERM]


def article_terms(article: Article, synonyms: dict[str, str]) -> tuple[str, str]:
    """(head, body) as space-separated terms: what the index holds and what the scorer reads back."""
    head = " ".join(_indexable(text.terms(f"{article.title}\n{article.questions}", synonyms)))
    body = " ".join(_indexable(text.terms(article.answer, synonyms)))
    return head, body


def body_counts(body: str) -> str:
    """The body's terms counted once, as stored in `search_body_counts`: the terms found once, a newline, then
    "term count" for the others (terms hold no spaces). The rescoring reads a question's terms from it with set and
    dict operations instead of splitting and counting the whole body for each question (`counted`)."""
    found = Counter(body.split())
    once = " ".join(t for t, k in found.items() if k == 1)
    more = " ".join(f"{t} {k}" for t, k in found.items() if k > 1)
    return f"{once}\n{more}" if found else ""


def counted(stored: str, wanted: set[str] | frozenset[str]) -> dict[str, int]:
    """{term: count in the body} for the `wanted` terms the body holds, from `body_counts`' text."""
    once, _, more = stored.partition("\n")
    out = dict.fromkeys(wanted.intersection(once.split()), 1)
    if more:
        pairs = more.split()
        repeated = dict(zip(pairs[::2], pairs[1::2], strict=True))
        out.update((t, int(repeated[t])) for t in repeated.keys() & wanted)
    return out


def _term_set(head: str, body: str) -> set[str]:
    return set(head.split()) | set(body.split())


def index_articles(articles: Sequence[Article], synonyms: dict[str, str] | None = None) -> None:
    """Recompute and store the search terms of these articles and the term counts (inside the caller's transaction)."""
    synonyms = synonym_map() if synonyms is None else synonyms
    if not articles:
        return
    before = {pk: _term_set(h, b) for pk, h, b in
              Article.objects.filter(pk__in=[a.pk for a in articles]).values_list("pk", "search_head", "search_body")}
    rows = []
    delta: Counter[str] = Counter()
    for a in articles:
        a.search_head, a.search_body = article_terms(a, synonyms)
        a.search_head_terms, a.search_body_terms = len(a.search_head.split()), len(a.search_body.split())
        a.search_body_counts = body_counts(a.search_body)
        rows.append((a.search_head, a.search_body, a.pk))
        old, new = before.get(a.pk, set()), _term_set(a.search_head, a.search_body)
        delta.update(new - old)
        delta.subtract(old - new)
        delta[_DOCS] += bool(new) - bool(old)
    Article.objects.bulk_update(articles, ["search_head", "search_body", "search_head_terms", "search_body_terms",
                                           "search_body_counts"], batch_size=500)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.executemany(
                "UPDATE knowledge_article SET search_vector = setweight(to_tsvector('simple', %s), 'A') "
                "|| setweight(to_tsvector('simple', %s), 'D') WHERE id = %s", rows)
        else:
            c.executemany("DELETE FROM knowledge_fts WHERE rowid = %s", [(r[2],) for r in rows])
            c.executemany("INSERT INTO knowledge_fts (rowid, head, body) VALUES (%s, %s, %s)", [(r[2], r[0], r[1]) for r in rows])
        # Sorted, so that two writers lock the rows in the same order (no deadlock on PostgreSQL).
        c.executemany(
            "INSERT INTO knowledge_searchterm (term, df) VALUES (%s, %s) "
            "ON CONFLICT (term) DO UPDATE SET df = knowledge_searchterm.df + excluded.df",
            sorted((t, n) for t, n in delta.items() if n))


def reindex_all(batch: int = 1000) -> int:
    """Rebuild every article's terms (after the synonym list changed); returns how many."""
    synonyms = synonym_map()
    done = 0
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), batch):
        chunk = list(Article.objects.filter(pk__in=ids[i:i + batch]))
        index_articles(chunk, synonyms)
        done += len(chunk)
    return done


@dataclass
class Hit:
    article: Article
    score: float
    passage: list[tuple[str, bool]] = field(default_factory=list)


def _values(values: Iterable[Any], kind: str) -> RawSQL:
    """A list of ids or terms for `__in` as one parameter (a PostgreSQL array, a JSON array on SQLite), not one
    placeholder per value: building and parsing statements with thousands of placeholders cost more than running
    them (Django's `__in` prepares every value; the driver scans the statement for placeholders)."""
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{kind}[])", [list(values)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values), ensure_ascii=False)])


def _document_counts(terms: Sequence[str]) -> tuple[dict[str, int], int]:
    """({term: articles holding it} for the terms some article holds, number of indexed articles)."""
    query = SearchTerm.objects.filter(term__in=_values([*terms, _DOCS], "text"), df__gt=0)
    found = dict(query.values_list("term", "df"))
    return found, found.pop(_DOCS, 0)


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _candidate_terms(df: dict[str, int], n: int) -> list[str]:
    """The rarest terms, while their document counts stay within the budget (always at least one)."""
    chosen: list[str] = []
    spent = 0
    for t in sorted(df, key=lambda t: (df[t], t)):
        if chosen and (len(chosen) >= CANDIDATE_TERMS or spent + df[t] > max(POSTINGS_BUDGET * n, POSTINGS_FLOOR)):
            break
        chosen.append(t)
        spent += df[t]
    return [t for t in chosen if "'" not in t and '"' not in t]


Match = tuple[int, int, bool, int, int]

# PostgreSQL's first stage in one statement (ADR 018, 2026-12-08): the question's term counts, the choice of the
# candidate terms (`_candidate_terms`' rule: the rarest first, by (count, term) in code point order, at most `most`,
# their counts within the budget, always one) and their matches (`_matches`). One round trip instead of two (a
# little faster: 8.8 against 9.1 ms mean on the 40,000 base). The budget is computed in float8 like Python's, so
# both choose the same terms; `_first_stage` still keeps only the matches of Python's own choice.
_PG_FIRST_STAGE = (
    "WITH q AS MATERIALIZED (SELECT term, df FROM knowledge_searchterm WHERE term = ANY(%(terms)s::text[]) AND df > 0), "
    "c AS (SELECT term, row_number() OVER w AS k, sum(df) OVER w AS spent FROM q WHERE term <> '' "
    "WINDOW w AS (ORDER BY df, term COLLATE \"C\" ROWS UNBOUNDED PRECEDING)), "
    "chosen AS MATERIALIZED (SELECT term FROM c WHERE k = 1 OR (k <= %(most)s AND spent <= greatest("
    "%(share)s::float8 * coalesce((SELECT df FROM q WHERE term = ''), 0), %(floor)s::float8))) "
    "SELECT q.term, q.df, NULL::bigint, NULL::boolean, NULL::integer, NULL::integer FROM q UNION ALL "
    "SELECT ch.term, NULL, a.id, position(' ' || ch.term || ' ' in ' ' || a.search_head || ' ') > 0, "
    "a.search_head_terms, a.search_body_terms FROM chosen ch CROSS JOIN LATERAL (SELECT id, search_head, "
    "search_head_terms, search_body_terms FROM knowledge_article WHERE search_vector @@ quote_literal(ch.term)::tsquery) a")


def _first_stage(terms: list[str]) -> tuple[dict[str, int], int, list[str], list[Match]]:
    """(the terms' document counts, the number of indexed articles, the candidate terms, their matches): one
    statement on PostgreSQL, the term counts and then the matches on SQLite (in-process: no round trip to save)."""
    if connection.vendor != "postgresql":
        df, n = _document_counts(terms)
        chosen = _candidate_terms(df, n)
        return df, n, chosen, _matches(chosen)
    with connection.cursor() as c:
        c.execute(_PG_FIRST_STAGE, {"terms": [*terms, _DOCS], "most": CANDIDATE_TERMS, "share": POSTINGS_BUDGET,
                                    "floor": POSTINGS_FLOOR})
        rows = c.fetchall()
    df = {t: d for t, d, pk, _h, _hl, _bl in rows if pk is None}
    n = df.pop(_DOCS, 0)
    chosen = _candidate_terms(df, n)
    position = {t: i for i, t in enumerate(chosen)}
    return df, n, chosen, [(position[t], pk, h, hl, bl) for t, _d, pk, h, hl, bl in rows
                           if pk is not None and t in position]


def _matches(terms: list[str]) -> list[Match]:
    """(term's position in `terms`, article id, whether the term is in the article's head, the article's head and
    body lengths in terms) for every article holding one of `terms`, in one statement.

    Read by term through the full-text index, without ranking and without the article's terms: on PostgreSQL one
    GIN lookup per plain lexeme (no weight in the query, so no recheck and no detoasted tsvector; the head test is
    on the short `search_head` text), on SQLite one FTS5 match per term, over the whole article and over the head,
    and the lengths from a covering index (the article's long row is not read)."""
    if not terms:
        return []
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            # The row is what the caller reads (0-based position, a boolean): no conversion of ~2,000 rows in Python.
            c.execute(
                "SELECT u.i - 1, a.id, position(' ' || u.term || ' ' in ' ' || a.search_head || ' ') > 0, "
                "a.search_head_terms, a.search_body_terms FROM unnest(%s::text[]) WITH ORDINALITY AS u(term, i) "
                "CROSS JOIN LATERAL (SELECT id, search_head, search_head_terms, search_body_terms FROM knowledge_article "
                "WHERE search_vector @@ quote_literal(u.term)::tsquery) a", [terms])
            return c.fetchall()
        # One FTS5 match per term (its doclist only, nothing ranked), over the whole article and over the head:
        # faster than the fts5vocab table's rows by term, which come one per occurrence.
        whole = " UNION ALL ".join(f"SELECT {i} AS i, rowid AS id FROM knowledge_fts WHERE knowledge_fts MATCH %s"  # noqa: S608 — a number
                                   for i in range(len(terms)))
        head = " UNION ALL ".join(f"SELECT {-1 - i}, rowid FROM knowledge_fts WHERE knowledge_fts MATCH %s"  # noqa: S608 — a number
                                  for i in range(len(terms)))
        c.execute(
            "SELECT m.i, m.id, a.search_head_terms, a.search_body_terms "  # noqa: S608 — numbers and placeholders only
            f"FROM ({whole} UNION ALL {head}) m JOIN knowledge_article a INDEXED BY knowledge_article_search_len "
            "ON a.id = m.id", [f'"{t}"' for t in terms] + [f'{{head}} : "{t}"' for t in terms])
        rows = c.fetchall()
    in_head = {(-1 - i, pk) for i, pk, _hl, _bl in rows if i < 0}
    return [(i, pk, (i, pk) in in_head, hl, bl) for i, pk, hl, bl in rows if i >= 0]


def _ranked(matches: list[Match], weights: list[float]) -> tuple[list[int], list[int], set[int]]:
    """Every article of the candidate terms' `matches`, ranked twice in Python: by BM25 over the whole article with
    each term counted present once (head ×HEAD_WEIGHT, as the rescoring), and by the same over the head alone.
    Returns both orders (best first) and the set of all matching ids."""
    whole: dict[int, float] = {}
    head: dict[int, float] = {}
    for i, pk, in_head, head_len, body_len in matches:
        if in_head:
            tf = HEAD_WEIGHT / (1 - B + B * head_len / AVG_HEAD)
            head[pk] = head.get(pk, 0.0) + weights[i] * tf * (K1 + 1) / (tf + K1)
        else:
            tf = 1 / (1 - B + B * body_len / AVG_BODY)
        whole[pk] = whole.get(pk, 0.0) + weights[i] * tf * (K1 + 1) / (tf + K1)
    return (sorted(whole, key=lambda pk: (-whole[pk], pk)), sorted(head, key=lambda pk: (-head[pk], pk)), set(whole))


def _candidates(matches: list[Match], weights: list[float], scope: ArticleQuerySet, limit: int) -> list[int]:
    """Ids of up to `limit` articles of `scope` by the whole article, and up to `limit` by the title and question
    forms alone (`_ranked`).

    The scope is checked on the best `WIDEN` × `limit` of each list first (one indexed query); when fewer than
    `limit` of a list are in it (a narrow scope: one unit's drafts, the public articles), on every match."""
    if not matches:
        return []
    whole, head, every = _ranked(matches, weights)
    ranked = (whole, head)
    top = {pk for order in ranked for pk in order[:WIDEN * limit]}
    allowed = set(scope.order_by().filter(pk__in=_values(top, "bigint")).values_list("pk", flat=True))
    lists = [[pk for pk in order[:WIDEN * limit] if pk in allowed][:limit] for order in ranked]
    if any(len(lists[k]) < limit and len(ranked[k]) > WIDEN * limit for k in (0, 1)):
        allowed = set(scope.order_by().filter(pk__in=_values(every, "bigint")).values_list("pk", flat=True))
        lists = [[pk for pk in order if pk in allowed][:limit] for order in ranked]
    return list(dict.fromkeys(lists[0] + lists[1]))


def _rescore(query: Counter[str], df: dict[str, int], n: int, rows: list[tuple[int, str, str, int]],
             exact: int) -> list[tuple[float, int]]:
    """(score, id) best first: BM25 over head and body with the base's IDF, plus COVER × title coverage.

    The coverage share's denominator needs the counts of the head terms the question lacks, thousands over all
    candidates; looking them all up was the longest part of a search. They are first weighed by jieba's fixed
    table (no lookup), and only the best `exact` by that estimate are scored exactly and come first."""
    weight = {t: _idf(df[t], n) * (1 + math.log(query[t])) for t in query if t in df}
    wanted = set(weight)
    heads = [set(h.split()) for _pk, h, _c, _bl in rows]
    bm25: list[float] = []
    for (_pk, head_text, body_stored, body_len) in rows:
        # The head is short and split here; the body's counts were taken at index time (body_counts).
        head = head_text.split()
        tf_head, tf_body = Counter(t for t in head if t in weight), counted(body_stored, wanted)
        norm_head = HEAD_WEIGHT / (1 - B + B * len(head) / AVG_HEAD)
        norm_body = 1 / (1 - B + B * body_len / AVG_BODY)
        total = 0.0
        for t in tf_head.keys() | tf_body.keys():
            tf = tf_head[t] * norm_head + tf_body.get(t, 0) * norm_body
            total += weight[t] * tf * (K1 + 1) / (tf + K1)
        bm25.append(total)
    best = max(bm25, default=0.0) or 1.0
    shared = [sum(_idf(df[t], n) for t in head_set if t in query and t in df) for head_set in heads]

    def score(i: int, rest: float) -> float:
        mass = shared[i] + rest
        return bm25[i] / best + COVER * (shared[i] / mass if mass else 0.0)

    unknown = text.idfs(set().union(*heads) - df.keys()) if heads else {}
    estimate = [score(i, sum(unknown[t] for t in heads[i] if t in unknown)) for i in range(len(rows))]
    order = sorted(range(len(rows)), key=lambda i: (-estimate[i], rows[i][0]))
    first, rest = order[:exact], order[exact:]
    missing = set().union(*(heads[i] for i in first)) & unknown.keys() if first else set()
    head_df = _document_counts(sorted(missing))[0] if missing else {}
    scored = sorted(((score(i, sum(_idf(head_df.get(t, 1), n) for t in heads[i] if t in unknown)), rows[i][0])
                     for i in first), key=lambda s: (-s[0], s[1]))
    return scored + [(estimate[i], rows[i][0]) for i in rest]


def search(query_text: str, scope: ArticleQuerySet, *, limit: int = 10, passages: bool = True) -> list[Hit]:
    """The best `limit` articles of `scope` for a question in everyday words, each with its matching passage."""
    synonyms = synonym_map()
    terms, plain_words = text.terms_and_words(query_text[:QUERY_CHARS], synonyms)
    counts = Counter(_indexable(terms))
    if len(counts) > QUERY_TERMS:
        counts = Counter({t: counts[t] for t in sorted(counts, key=lambda t: (-text.idf(t), t))[:QUERY_TERMS]})
    if not counts:
        return []
    df, n, chosen, matches = _first_stage(sorted(counts))
    weights = [_idf(df[t], n) * (1 + math.log(counts[t])) for t in chosen]
    ids = _candidates(matches, weights, scope, max(CANDIDATES, limit))
    if not ids:
        return []
    rows = list(Article.objects.filter(pk__in=_values(ids, "bigint")).values_list(
        "pk", "search_head", "search_body_counts", "search_body_terms"))
    best = _rescore(counts, df, n, rows, max(EXACT, 2 * limit))[:limit]
    # The shown articles without their search texts (several kilobytes each, never shown).
    articles = (Article.objects.select_related("unit", "category")
                .defer("search_head", "search_body", "search_body_counts").in_bulk([pk for _s, pk in best]))
    hits = [Hit(articles[pk], s) for s, pk in best if pk in articles]
    if passages:
        plain = set(plain_words) | set(counts)
        for h in hits:
            h.passage = text.highlight(h.article.answer, plain)
    return hits


def ranked_ids(query_text: str, scope: ArticleQuerySet, limit: int = 3) -> list[int]:
    """Only the ids, for the benchmark."""
    return [h.article.pk for h in search(query_text, scope, limit=limit, passages=False)]
