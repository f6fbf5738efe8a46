# The category tree now lives in the taxonomy app (ADR 011); its table stays `dispatch_category`,
# so every operation here changes Django's state only. It runs after every other app's foreign key
# was pointed at taxonomy.Category.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_category_moves_to_taxonomy"),
        ("dispatch", "0003_classifier_models_settings_corrections"),
        ("metrics", "0002_category_moves_to_taxonomy"),
        ("taxonomy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="routingrule",
                    name="category",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="routing_rules", to="taxonomy.category", verbose_name="category"),
                ),
                migrations.AlterField(
                    model_name="dispatchsuggestion",
                    name="category",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="taxonomy.category", verbose_name="category"),
                ),
                migrations.DeleteModel(name="Category"),
            ],
            database_operations=[],
        ),
    ]
