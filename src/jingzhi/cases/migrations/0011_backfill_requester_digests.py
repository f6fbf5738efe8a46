"""Fill the requester digests of the cases registered before they existed (issue 13)."""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from jingzhi.cases.requesters import rebuild_digests

    rebuild_digests(apps.get_model("cases", "Case"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_requester_digests")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
