"""`jingzhi metrics rebuild` in SQL writes exactly the rows that compute_day (rollup_day) writes, day for day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from jingzhi.metrics import rollup, rollup_sql
from jingzhi.metrics.models import DailyCategoryRollup, DailyIntake, DailyRollup, DailyUnitRollup

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2024, 9, 27), date(2024, 10, 10)  # the data set's days (conftest.py) and a few empty ones
KEYS = {
    DailyRollup: ("day", "division_id", "unit_id", "category_id"),
    DailyUnitRollup: ("day", "division_id", "unit_id"),
    DailyCategoryRollup: ("day", "division_id", "category_id"),
}


def _sorted(rows: Any) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)  # keys may be NULL (no unit, no category)


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for model, keys in KEYS.items():
        fields = (*keys, *rollup.COUNTERS, "ack_seconds", "reply_seconds")
        out[model.__name__] = _sorted(
            tuple(row[:-2]) + (list(row[-2]), list(row[-1])) for row in model.objects.values_list(*fields)
        )
    out["DailyIntake"] = _sorted(DailyIntake.objects.values_list("day", "division_id", "channel", "kind", "received"))
    return out


def _python_rebuild() -> None:
    day = FIRST
    while day <= LAST:
        rollup.rollup_day(day)  # compute_day, written
        day += timedelta(days=1)


def test_the_sql_rebuild_writes_what_compute_day_computes(data: Any) -> None:
    if not rollup_sql.supported():
        pytest.skip("the SQL rebuild is PostgreSQL's; on SQLite rebuild runs compute_day itself (next test)")
    _python_rebuild()
    expected = _tables()
    # The data set must exercise what the SQL re-implements, or the comparison proves little.
    rows = expected["DailyRollup"]
    assert any(r[-2] for r in rows) and any(r[-1] for r in rows)  # working-time durations
    assert len(rows) >= 5 and expected["DailyIntake"]
    DailyRollup.objects.update(received=999)  # stale rows the rebuild must replace
    written = rollup_sql.rebuild(FIRST, LAST, days_per_transaction=5)  # several transactions, a boundary inside
    assert _tables() == expected
    assert written == len(rows)


def test_rebuilding_twice_changes_nothing(data: Any) -> None:
    rollup_sql.rebuild(FIRST, LAST)
    first = _tables()
    assert first["DailyRollup"]
    rollup_sql.rebuild(FIRST, LAST)
    assert _tables() == first


def test_on_sqlite_rebuild_is_the_python_path(data: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert not rollup_sql.supported()
    rollup_sql.rebuild(FIRST, LAST)
    rebuilt = _tables()
    _python_rebuild()
    assert _tables() == rebuilt and rebuilt["DailyRollup"]
