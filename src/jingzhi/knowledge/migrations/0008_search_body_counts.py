"""Each article's body terms counted once at index time (ADR 018, 2026-12-08): the rescoring read the whole body
text and counted its terms for every question. Counted here once from the stored terms, then kept by
search.index_articles (search.body_counts writes the same format)."""

from collections import Counter

from django.db import migrations, models

# SQLite adds a column with a default by copying the table, which drops the covering index of migration 0006; it
# is created again after the copy (and after the copy that removing the column makes).
SQLITE_INDEX = ("CREATE INDEX IF NOT EXISTS knowledge_article_search_len "
                "ON knowledge_article (id, search_head_terms, search_body_terms)")


def sqlite_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_INDEX)


def counts(body: str) -> str:
    # Frozen copy of search.body_counts: the terms found once, a newline, then "term count" for the others.
    found = Counter(body.split())
    once = " ".join(t for t, n in found.items() if n == 1)
    more = " ".join(f"{t} {n}" for t, n in found.items() if n > 1)
    return f"{once}\n{more}" if found else ""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Article = apps.get_model("knowledge", "Article")
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), 2000):  # read a batch, then write it: no open read cursor while the rows change
        rows = Article.objects.filter(pk__in=ids[i:i + 2000]).values_list("pk", "search_body")
        Article.objects.bulk_update([Article(pk=pk, search_body_counts=counts(body)) for pk, body in rows],
                                    ["search_body_counts"])
    sqlite_index(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0007_reply_general_and_when"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_index),
        migrations.AddField(model_name="article", name="search_body_counts",
                            field=models.TextField(default="", editable=False)),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
