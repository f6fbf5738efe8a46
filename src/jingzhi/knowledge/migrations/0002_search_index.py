"""The search index for the database in use (ADR 018): a weighted tsvector with GIN on PostgreSQL, FTS5 on SQLite."""

from django.db import migrations

PG = [
    "ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector",
    "CREATE INDEX knowledge_article_search ON knowledge_article USING gin (search_vector)",
]
PG_BACK = ["DROP INDEX IF EXISTS knowledge_article_search", "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector"]
# A standalone FTS5 table keyed by the article id; unicode61 splits on the spaces between our terms.
SQLITE = ["CREATE VIRTUAL TABLE knowledge_fts USING fts5(head, body, tokenize = 'unicode61 remove_diacritics 0')"]
SQLITE_BACK = ["DROP TABLE IF EXISTS knowledge_fts"]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in PG if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in PG_BACK if vendor == "postgresql" else SQLITE_BACK if vendor == "sqlite" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles")]
    operations = [migrations.RunPython(forward, backward)]
