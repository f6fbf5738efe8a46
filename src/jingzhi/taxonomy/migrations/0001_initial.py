# The category tree moves here from the dispatch app (ADR 011). The table `dispatch_category` already
# exists (dispatch 0001) and keeps its name and rows: this migration only tells Django's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dispatch", "0003_classifier_models_settings_corrections"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Category",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=60, verbose_name="name")),
                        ("level", models.PositiveSmallIntegerField(default=1, verbose_name="level")),
                        ("is_public", models.BooleanField(default=True, verbose_name="open to the public")),
                        ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="children", to="taxonomy.category", verbose_name="parent")),
                    ],
                    options={
                        "verbose_name": "category",
                        "verbose_name_plural": "categories",
                        "db_table": "dispatch_category",
                        "ordering": ["level", "name"],
                        "constraints": [models.UniqueConstraint(fields=("parent", "name"), name="category_unique_name_per_parent")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
