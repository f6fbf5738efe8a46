"""The event's actor and unit indexed only where set (ADR 031): the SLA sweep's events, most of a burst, have neither.

The indexes serve the PROTECT checks when a user or a unit is deleted (`actor_id = …`), which a partial index
answers. The old indexes are dropped by hand for the reason given in 0016.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    schema_editor.execute('DROP INDEX IF EXISTS "cases_caseevent_actor_id_3b42ca2c"')
    schema_editor.execute('DROP INDEX IF EXISTS "cases_caseevent_actor_unit_id_41dc27b0"')


def backwards(apps, schema_editor):
    schema_editor.execute('CREATE INDEX "cases_caseevent_actor_id_3b42ca2c" ON "cases_caseevent" ("actor_id")')
    schema_editor.execute('CREATE INDEX "cases_caseevent_actor_unit_id_41dc27b0" ON "cases_caseevent" ("actor_unit_id")')


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_leaner_indexes'),
        ('org', '0005_unit_kind_political_legal'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name='caseevent',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='actor_unit',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='unit'),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='caseevent_actor'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(condition=models.Q(('actor_unit__isnull', False)), fields=['actor_unit'], name='caseevent_actor_unit'),
        ),
    ]
