"""Bulk inserts of many decision rows: PostgreSQL's COPY where available, `bulk_create` elsewhere.

A full match writes hundreds of thousands of rows (benchmarks/matching.py: 361,000 matches and 48,000 grants for
10,000 enterprises × 50 random policies). Through the ORM that cost ≈ 0.5 ms a row, nearly all of it building and
quoting the INSERT in Python; COPY streams the same rows for a fraction. With `ignore_conflicts` the rows go
through a temporary table and one `INSERT … SELECT … ON CONFLICT DO NOTHING`, so a unique constraint (one grant
per enterprise, policy and period) still decides between concurrent writers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def column_of(field: object) -> str:
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{field} is not a concrete column")
    return column


# Up to this many rows one multi-row INSERT (TraceField keeps it off UNNEST) is a single statement, where the COPY
# path with conflicts ignored is four (a one-enterprise re-match makes a snapshot and a grant or two).
SMALL = 200


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *,
                ignore_conflicts: bool = False) -> None:
    """Insert `rows` (tuples in the order of `fields`, attribute names such as "enterprise_id") into `model`."""
    if not rows:
        return
    if connection.vendor != "postgresql" or len(rows) <= SMALL:
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=2000, ignore_conflicts=ignore_conflicts)
        return
    meta = model._meta
    columns = [column_of(meta.get_field(f.removesuffix("_id") if f.endswith("_id") else f)) for f in fields]
    # Identifiers only, all from the model's own meta (never from input), quoted: S608 below is a false alarm.
    table = connection.ops.quote_name(meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        target = table
        if ignore_conflicts:
            target = connection.ops.quote_name(f"{meta.db_table}_load")
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_cell(v) for v in row])
        if ignore_conflicts:
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target} ON CONFLICT DO NOTHING")  # noqa: S608
