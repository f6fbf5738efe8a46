"""The database cache's table (issue 10): rate-limit counters shared by every process in the embedded mode.

The table is made whatever cache is configured now (createcachetable skips it when it exists), so switching
JINGZHI_CACHE_URL from Redis back to the database cache needs no further step.
"""

from django.db import migrations


CACHE_TABLE = "jingzhi_cache"  # settings.CACHES' LOCATION for the database cache


def create_cache_table(apps, schema_editor):
    from django.core.management import call_command

    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_auditlog_chain")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
