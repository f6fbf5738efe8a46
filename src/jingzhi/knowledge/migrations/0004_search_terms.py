"""Document frequencies of the search terms (ADR 018, 2026-12-07): counted once from the stored terms here, then
kept by search.index_articles."""

from collections import Counter

from django.db import migrations, models


def count_terms(apps, schema_editor):  # type: ignore[no-untyped-def]
    Article = apps.get_model("knowledge", "Article")
    SearchTerm = apps.get_model("knowledge", "SearchTerm")
    df: Counter[str] = Counter()
    for head, body in Article.objects.values_list("search_head", "search_body").iterator(chunk_size=2000):
        terms = {t for t in f"{head} {body}".split() if len(t) <= 64}
        if terms:
            df.update(terms)
            df[""] += 1
    SearchTerm.objects.bulk_create([SearchTerm(term=t, df=n) for t, n in df.items()], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0003_reply_check"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(max_length=64, unique=True)),
                ("df", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count_terms, migrations.RunPython.noop),
    ]
