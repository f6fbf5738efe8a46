"""The default time limits of an enterprise need's clocks as policy rows (administrators change them)."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [("contact", Decimal(1), "working_hours"), ("progress", Decimal(3), "working_days"),
            ("close", Decimal(5), "working_days")]


def seed(apps, schema_editor):
    NeedTimeLimit = apps.get_model("enterprises", "NeedTimeLimit")
    for clock, amount, unit in DEFAULTS:
        NeedTimeLimit.objects.get_or_create(clock=clock, defaults={"amount": amount, "time_unit": unit})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
