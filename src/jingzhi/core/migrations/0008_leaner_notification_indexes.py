"""One index per notification instead of four (ADR 031): the SLA sweep's burst writes a million of them at 10 M cases.

The recipient's own index is served by the (recipient, read_at) index, which starts with it; the subject is
shown, never looked up by, so neither its index nor its LIKE twin (PostgreSQL) is kept. The database changes
are written by hand: Django's AlterField(db_index=False) on a foreign key drops and re-adds the constraint,
which re-validates it over the whole table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = [
    "core_notification_recipient_id_24a3d95c",
    "core_notification_subject_ref_7540e97c",
    "core_notification_subject_ref_7540e97c_like",
]


def forwards(apps, schema_editor):
    for name in DROPPED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def backwards(apps, schema_editor):
    schema_editor.execute('CREATE INDEX "core_notification_recipient_id_24a3d95c" ON "core_notification" ("recipient_id")')
    schema_editor.execute('CREATE INDEX "core_notification_subject_ref_7540e97c" ON "core_notification" ("subject_ref")')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX "core_notification_subject_ref_7540e97c_like" ON "core_notification" ("subject_ref" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_outbound_message'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name='notification',
                    name='recipient',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient'),
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='subject_ref',
                    field=models.CharField(blank=True, default='', max_length=40, verbose_name='about'),
                ),
            ],
        ),
    ]
