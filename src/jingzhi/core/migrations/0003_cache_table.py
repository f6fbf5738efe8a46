"""The database cache's table (issue 10): rate-limit counters shared by every process in the embedded mode.

createcachetable makes the table of each configured DatabaseCache and skips tables that exist; with Redis
configured it does nothing (`jingzhi migrate` runs it again, so switching back to the database cache works).
"""

from django.db import migrations


def create_cache_table(apps, schema_editor):
    from django.core.management import call_command

    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
