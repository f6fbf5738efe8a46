"""Search over articles: the database finds candidates, one scoring function ranks them (ADR 018).

PostgreSQL: a `tsvector` column (title and question forms weight A, answer weight D) with a GIN index, matched
with an OR query and ordered by `ts_rank`. SQLite: an FTS5 table ordered by `bm25`. Both index the same terms
(text.py), so they find the same candidates; the final order is `text.score` in Python over at most
`CANDIDATES` rows, which is the same on both databases. The columns and tables are created by migration 0002
for the database in use; services keep them current through `index_articles`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection

from jingzhi.knowledge import text
from jingzhi.knowledge.models import Article, ArticleQuerySet, Synonym

CANDIDATES = 60
_SYNONYMS_KEY = "knowledge:synonyms:v1"


def synonym_map() -> dict[str, str]:
    """The city's synonym groups as {word: first word}; cached, dropped whenever a group is saved."""
    cached = cache.get(_SYNONYMS_KEY)
    if cached is None:
        cached = text.fold_map(s.word_list() for s in Synonym.objects.all())
        cache.set(_SYNONYMS_KEY, cached, 3600)
    return dict(cached)


def synonyms_changed() -> None:
    cache.delete(_SYNONYMS_KEY)


def article_terms(article: Article, synonyms: dict[str, str]) -> tuple[str, str]:
    """(head, body) as space-separated terms: what the index holds and what the scorer reads back."""
    head = " ".join(text.terms(f"{article.title}\n{article.questions}", synonyms))
    body = " ".join(text.terms(article.answer, synonyms))
    return head, body


def index_articles(articles: Sequence[Article], synonyms: dict[str, str] | None = None) -> None:
    """Recompute and store the search terms of these articles (inside the caller's transaction)."""
    synonyms = synonym_map() if synonyms is None else synonyms
    rows = []
    for a in articles:
        a.search_head, a.search_body = article_terms(a, synonyms)
        rows.append((a.search_head, a.search_body, a.pk))
    if not rows:
        return
    Article.objects.bulk_update(articles, ["search_head", "search_body"], batch_size=500)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.executemany(
                "UPDATE knowledge_article SET search_vector = setweight(to_tsvector('simple', %s), 'A') "
                "|| setweight(to_tsvector('simple', %s), 'D') WHERE id = %s", rows)
        else:
            c.executemany("DELETE FROM knowledge_fts WHERE rowid = %s", [(r[2],) for r in rows])
            c.executemany("INSERT INTO knowledge_fts (rowid, head, body) VALUES (%s, %s, %s)", [(r[2], r[0], r[1]) for r in rows])


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


def _candidates(query: Counter[str], scope: ArticleQuerySet, limit: int) -> list[int]:
    """Ids of up to `limit` articles in `scope` matching any query term, best first by the database's rank."""
    terms = [t for t in query if "'" not in t and '"' not in t]
    if not terms:
        return []
    scope_sql, scope_params = scope.values("pk").query.sql_with_params()
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            tsquery = " | ".join(f"'{t}'" for t in terms)
            c.execute(
                "SELECT id FROM knowledge_article WHERE search_vector @@ %s::tsquery "  # noqa: S608 — Django's compiled SQL; values are parameters
                f"AND id IN ({scope_sql}) ORDER BY ts_rank(search_vector, %s::tsquery, 1) DESC, id LIMIT %s",
                [tsquery, *scope_params, tsquery, limit])
        else:
            match = " OR ".join(f'"{t}"' for t in terms)
            # The scope is applied outside the FTS query: given to FTS5 as a rowid constraint, it made every
            # query seconds long (the constraint is pushed into the virtual table and checked term by term).
            c.execute(
                "SELECT f.id FROM (SELECT rowid AS id, bm25(knowledge_fts, 2.0, 1.0) AS r FROM knowledge_fts "  # noqa: S608
                f"WHERE knowledge_fts MATCH %s) f WHERE +f.id IN ({scope_sql}) ORDER BY f.r, f.id LIMIT %s",
                [match, *scope_params, limit])
        return [row[0] for row in c.fetchall()]


def search(query_text: str, scope: ArticleQuerySet, *, limit: int = 10, passages: bool = True) -> list[Hit]:
    """The best `limit` articles of `scope` for a question in everyday words, each with its matching passage."""
    synonyms = synonym_map()
    query = text.query_terms(query_text, synonyms)
    ids = _candidates(query, scope, CANDIDATES)
    if not ids:
        return []
    # Score on the stored terms only; the articles themselves are read for the few that are shown.
    scored = []
    for pk, head_text, body_text in Article.objects.filter(pk__in=ids).values_list("pk", "search_head", "search_body"):
        head, body = head_text.split(), body_text.split()
        scored.append((-text.score(query, Counter(head), Counter(body), len(head), len(body)), pk))
    scored.sort()
    best = scored[:limit]
    articles = Article.objects.select_related("unit", "category").in_bulk([pk for _s, pk in best])
    hits = [Hit(articles[pk], -s) for s, pk in best if pk in articles]
    if passages:
        plain = set(text.words(query_text, None)) | set(query)
        for h in hits:
            h.passage = text.highlight(h.article.answer, plain)
    return hits


def ranked_ids(query_text: str, scope: ArticleQuerySet, limit: int = 3) -> list[int]:
    """Only the ids, for the benchmark."""
    return [h.article.pk for h in search(query_text, scope, limit=limit, passages=False)]
