# The roll-ups' category now points at taxonomy.Category: the same table (dispatch_category), so state only.

import django.db.models.deletion
from django.db import migrations, models


def _fk() -> models.ForeignKey:
    return models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="taxonomy.category", verbose_name="category")


class Migration(migrations.Migration):

    dependencies = [
        ("metrics", "0001_initial"),
        ("taxonomy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="dailycategoryrollup", name="category", field=_fk()),
                migrations.AlterField(model_name="dailyrollup", name="category", field=_fk()),
                migrations.AlterField(model_name="opensnapshot", name="category", field=_fk()),
            ],
            database_operations=[],
        ),
    ]
