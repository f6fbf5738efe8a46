"""The audit log becomes an append-only hash chain (issue 10): IP, outcome, the actor's name kept,
prev_hash/hash for every row (existing rows chained here, in id order), and triggers that refuse
UPDATE and DELETE on PostgreSQL and on SQLite. Only `audit_purge` may delete (see jingzhi.core.audit).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "core_auditlog"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION jingzhi_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    -- Only the retention purge may delete, inside its own transaction (SET LOCAL jingzhi.audit_purge).
    IF TG_OP = 'DELETE' AND coalesce(current_setting('jingzhi.audit_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    -- The message is concatenated, not formatted: the SQL passes through the driver placeholder parsing.
    RAISE EXCEPTION USING MESSAGE = 'the audit log is append-only: ' || TG_OP || ' refused',
                          ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS jingzhi_auditlog_append_only ON {TABLE};
CREATE TRIGGER jingzhi_auditlog_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION jingzhi_auditlog_append_only();
"""
PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS jingzhi_auditlog_append_only ON {TABLE};
DROP FUNCTION IF EXISTS jingzhi_auditlog_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS jingzhi_auditlog_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END""",
    # jingzhi_audit_purge_permitted() is registered on each connection by jingzhi.core.apps; a connection
    # without it (the sqlite3 shell) errors in the WHEN clause, so the DELETE is refused there as well.
    f"""CREATE TRIGGER IF NOT EXISTS jingzhi_auditlog_no_delete BEFORE DELETE ON {TABLE}
        WHEN NOT jingzhi_audit_purge_permitted()
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS jingzhi_auditlog_no_update", "DROP TRIGGER IF EXISTS jingzhi_auditlog_no_delete"]


def chain_existing(apps, schema_editor):
    from jingzhi.core.audit import GENESIS, normalise_ip, row_hash

    AuditLog = apps.get_model("core", "AuditLog")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    names = dict(User.objects.values_list("pk", "username"))
    prev = GENESIS
    for row in AuditLog.objects.order_by("id"):
        row.actor_username = names.get(row.actor_id, "") if row.actor_id else ""
        row.ip = normalise_ip(row.ip)
        fields = {name: getattr(row, name) for name in (
            "actor_id", "actor_username", "action", "object_type", "object_id", "detail", "ip", "outcome", "created_at")}
        row.prev_hash = prev
        row.hash = prev = row_hash(prev, fields)
        row.save(update_fields=["actor_username", "ip", "prev_hash", "hash"])


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_notification_subject_reference"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditlog",
            options={"ordering": ["-id"], "verbose_name": "audit log entry", "verbose_name_plural": "audit log"},
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="actor",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="actor"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="actor_username",
            field=models.CharField(blank=True, max_length=150, verbose_name="actor's username"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="outcome",
            field=models.CharField(choices=[("success", "success"), ("failure", "failure"), ("refused", "refused")],
                                   default="success", max_length=10, verbose_name="outcome"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditlog",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="action",
            field=models.CharField(db_index=True, max_length=50, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="time"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
