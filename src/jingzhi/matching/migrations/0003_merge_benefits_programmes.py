# Joins the three 0002 branches of issue 15 (benefits, engine speed, programmes), which touch different tables.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0002_applications_payments'),
        ('matching', '0002_engine_speed'),
        ('matching', '0002_programmes'),
    ]

    operations = [
    ]
