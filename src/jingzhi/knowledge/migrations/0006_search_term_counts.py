"""The candidate stage reads each rare term's matching articles and scores them in Python (ADR 018, 2026-12-07
evening): every article's number of head and body terms (its length), counted here once from the stored terms and
then kept by search.index_articles; on SQLite an index that gives the lengths by id without reading the article's
long row."""

from django.db import migrations, models

# Terms are separated by single spaces: their number is the spaces plus one, none for an empty text. Both databases.
COUNT = ("UPDATE knowledge_article SET "
         "search_head_terms = CASE WHEN search_head = '' THEN 0 ELSE length(search_head) - length(replace(search_head, ' ', '')) + 1 END, "
         "search_body_terms = CASE WHEN search_body = '' THEN 0 ELSE length(search_body) - length(replace(search_body, ' ', '')) + 1 END")
SQLITE = [
    "CREATE INDEX knowledge_article_search_len ON knowledge_article (id, search_head_terms, search_body_terms)",
]
SQLITE_BACK = ["DROP INDEX IF EXISTS knowledge_article_search_len"]
# The search reads the GIN index term by term; with fastupdate, every search also reads through the pending list of
# recent inserts until (auto)vacuum empties it: 1.8 ms a term instead of 0.04 ms after a bulk load or a re-index
# of the base (a synonym change). Writes are few; they update the index at once instead.
PG = ["ALTER INDEX knowledge_article_search SET (fastupdate = off)"]
PG_BACK = ["ALTER INDEX knowledge_article_search RESET (fastupdate)"]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(COUNT)
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else PG if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_BACK if vendor == "sqlite" else PG_BACK if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0005_reply_fitted_weights"),
    ]

    operations = [
        migrations.AddField(model_name="article", name="search_head_terms",
                            field=models.PositiveIntegerField(default=0, editable=False)),
        migrations.AddField(model_name="article", name="search_body_terms",
                            field=models.PositiveIntegerField(default=0, editable=False)),
        migrations.RunPython(forward, backward),
    ]
