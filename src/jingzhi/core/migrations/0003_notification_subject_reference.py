# A notification names what it is about by reference ("case", its number) instead of a foreign key to
# cases.Case, so that core depends on no app above it (ADR 011). Existing links are carried over.

from django.db import migrations, models


def copy_case_numbers(apps, schema_editor):
    Notification = apps.get_model("core", "Notification")
    Case = apps.get_model("cases", "Case")
    ids = set(Notification.objects.exclude(case__isnull=True).values_list("case_id", flat=True).distinct())
    numbers = dict(Case.objects.filter(pk__in=ids).values_list("pk", "number"))
    for case_id, number in numbers.items():
        Notification.objects.filter(case_id=case_id).update(subject_type="case", subject_ref=number)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_initial"),
        ("cases", "0007_category_moves_to_taxonomy"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_type",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="about (type)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_ref",
            field=models.CharField(blank=True, db_index=True, default="", max_length=40, verbose_name="about"),
        ),
        migrations.RunPython(copy_case_numbers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="case"),
    ]
