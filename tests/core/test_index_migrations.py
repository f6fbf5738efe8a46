"""The hand-written index migrations of ADR 031 (core 0008, cases 0017): what they drop and create, and back again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: c["columns"] for name, c in found.items() if c["index"] and not c["primary_key"] and not c["unique"]}


def _migrate(*targets: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))


@pytest.mark.django_db(transaction=True)
def test_notification_and_event_indexes_forwards_back_and_forwards() -> None:
    after_notification = _indexes("core_notification")
    after_event = _indexes("cases_caseevent")
    # Forwards: a notification keeps one index besides its key; an event's actor and unit are indexed where set.
    assert sorted(after_notification.values()) == [["recipient_id", "read_at"]]
    assert "caseevent_actor" in after_event and "caseevent_actor_unit" in after_event
    assert not any(name.startswith("cases_caseevent_actor") for name in after_event)
    try:
        _migrate(("core", "0007_outbound_message"), ("cases", "0016_leaner_indexes"))
        before_notification = _indexes("core_notification")
        before_event = _indexes("cases_caseevent")
        assert ["recipient_id"] in before_notification.values() and ["subject_ref"] in before_notification.values()
        assert "cases_caseevent_actor_id_3b42ca2c" in before_event and "caseevent_actor" not in before_event
    finally:
        _migrate(("core", "0008_leaner_notification_indexes"), ("cases", "0017_event_actor_partial_indexes"))
    assert _indexes("core_notification") == after_notification
    assert _indexes("cases_caseevent") == after_event
