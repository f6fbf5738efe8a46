"""The audit log is an append-only hash chain: it verifies, the database refuses changes, and a change made
behind the triggers' back is named by `jingzhi audit verify`; retention purges only what is old enough."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from tests import factories as f

from jingzhi.cli import main
from jingzhi.core import audit
from jingzhi.core.audit import GENESIS, audit_purge, audit_record, audit_verify
from jingzhi.core.clientip import client_ip
from jingzhi.core.models import AuditLog

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def _rows(n: int, actor: Any = None) -> list[AuditLog]:
    return [audit_record(actor=actor, action="export", object_type="case_list", object_id=f"list-{i}",
                         detail={"rows": i, "名称": "西丰县"}) for i in range(n)]


def test_rows_are_chained_and_verify(city: Any) -> None:
    rows = _rows(5, city.admin)
    assert rows[0].prev_hash == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    report = audit_verify()
    assert report.ok and report.count == 5 and report.head == rows[-1].hash
    stored = AuditLog.objects.get(pk=rows[0].pk)
    assert stored.actor_username == "admin" and stored.outcome == "success"


def test_the_old_signature_still_works_and_records_ip_and_outcome(city: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    row = audit_record(actor=city.operator, action="login_failed", object_type="user", object_id="operator",
                       outcome="failure", request=request)
    assert (row.ip, row.outcome) == ("10.1.2.3", "failure")
    plain = audit_record(actor=None, action="x", object_type="y")
    assert plain.ip is None and plain.actor_username == "" and audit_verify().ok


def test_the_actor_name_stays_when_the_user_is_deleted(city: Any) -> None:
    user = f.user("operator", city.hotline, username="temp_operator")
    audit_record(actor=user, action="export", object_type="case_list", object_id="all")
    user.delete()
    row = AuditLog.objects.get()
    assert row.actor_username == "temp_operator" and audit_verify().ok


@pytest.mark.parametrize("statement", [
    "UPDATE core_auditlog SET action = 'nothing'",
    "DELETE FROM core_auditlog",
])
def test_the_database_refuses_update_and_delete(city: Any, statement: str) -> None:
    _rows(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditLog.objects.count() == 2 and set(AuditLog.objects.values_list("action", flat=True)) == {"export"}


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("DROP TRIGGER jingzhi_auditlog_append_only ON core_auditlog")
        else:
            cursor.execute("DROP TRIGGER jingzhi_auditlog_no_update")
            cursor.execute("DROP TRIGGER jingzhi_auditlog_no_delete")


def test_a_row_changed_behind_the_triggers_back_is_named(city: Any, capsys: Any) -> None:
    rows = _rows(4)
    assert main(["audit", "verify"]) == 0
    assert "OK: 4 audit rows" in capsys.readouterr().out
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET object_id = 'forged' WHERE id = %s", [rows[2].pk])
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"id={rows[2].pk}" in err and "BROKEN" in err
    report = audit_verify()
    assert (report.ok, report.broken_id, report.count) == (False, rows[2].pk, 2)


def test_a_deleted_row_breaks_the_chain_at_the_next(city: Any) -> None:
    rows = _rows(4)
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [rows[1].pk])
    report = audit_verify()
    assert not report.ok and report.broken_id == rows[2].pk


def test_purge_keeps_at_least_180_days_and_the_rest_still_verifies(city: Any, settings: Any) -> None:
    settings.JINGZHI_AUDIT_RETENTION_DAYS = 30  # below the floor: 180 applies
    assert audit.retention_days() == 180
    now = timezone.now()
    with mock.patch("jingzhi.core.audit.timezone.now", return_value=now - timedelta(days=200)):
        _rows(3)
    with mock.patch("jingzhi.core.audit.timezone.now", return_value=now - timedelta(days=100)):
        kept = _rows(1)[0]  # 100 days old: kept although the setting says 30
    assert audit_purge(now=now, days=10) == 3
    remaining = list(AuditLog.objects.order_by("id"))
    assert [r.pk for r in remaining[:1]] == [kept.pk] and remaining[-1].action == "audit_purge"
    assert remaining[-1].detail["anchor"] == kept.prev_hash and remaining[-1].detail["deleted"] == 3
    report = audit_verify()
    assert report.ok and report.count == 2
    assert audit_purge(now=now) == 0
    # The purge opened the trigger for itself only: a plain DELETE is refused again.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog")


def test_client_ip_trusts_forwarded_addresses_only_when_configured(settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    settings.JINGZHI_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"  # a client's own X-Forwarded-For is ignored
    settings.JINGZHI_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
    bad = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(bad) == "127.0.0.1"


@pytest.mark.skipif(not POSTGRES, reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_linear_chain() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(40):
                audit_record(actor=None, action="export", object_type="case_list", object_id=f"{name}-{i}")
        except BaseException as e:  # noqa: BLE001 — reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = audit_verify()
    assert report.ok and report.count == 80
    # Both writers really interleaved, and no two rows claim the same predecessor.
    ids = list(AuditLog.objects.order_by("id").values_list("object_id", flat=True))
    assert any(a[0] != b[0] for a, b in zip(ids, ids[1:], strict=False))
    assert AuditLog.objects.values("prev_hash").distinct().count() == 80
