"""Seed the default time-limit rules of docs/domain.md §4.3 and the policy row; administrators edit them afterwards."""

from django.db import migrations

from jingzhi.cases.defaults import DEFAULT_RULES as DEFAULTS



def seed(apps, schema_editor):
    SlaRule = apps.get_model("cases", "SlaRule")
    SlaPolicy = apps.get_model("core", "SlaPolicy")
    for clock, kind, priority, amount, unit in DEFAULTS:
        SlaRule.objects.get_or_create(clock=clock, kind=kind, priority=priority, defaults={"amount": amount, "time_unit": unit})
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
