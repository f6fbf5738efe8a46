"""Insert many plain rows at once: PostgreSQL's COPY, or bulk_create elsewhere.

Why not bulk_create everywhere: for the SLA sweep's bursts (tens of thousands of events and notifications) most
of bulk_create's time on PostgreSQL was Python, not the database — one model instance per row, every value
prepared field by field, then the arrays of its `unnest` INSERT dumped value by value (issue 12: 16 of a
profiled 41 s). COPY through psycopg takes the rows as tuples and formats them in psycopg's C code; the
database receives the same rows. SQLite (the embedded mode) keeps bulk_create: there the row counts are small.

The caller gives the values as the database stores them (ids for foreign keys, aware datetimes, dicts for JSON);
nothing of the model's save() or defaults runs, so every non-null column without a database default must be in
`fields`. Runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = 2000) -> int:
    """Insert `rows` (tuples in the order of `fields`, model field names or attnames) into `model`'s table.

    Returns how many rows were written.
    """
    meta = model._meta
    resolved: list[Any] = [meta.get_field(name) for name in fields]  # concrete fields: column, attname
    if connection.vendor != "postgresql":
        objs = [model(**{f.attname: v for f, v in zip(resolved, row, strict=True)}) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return len(objs)
    json_at = [i for i, f in enumerate(resolved) if isinstance(f, models.JSONField)]
    encoders = {i: resolved[i].encoder for i in json_at}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in resolved)
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = json.dumps(row[i], cls=encoders[i], ensure_ascii=False)
            copy.write_row(row)
            written += 1
    return written


__all__ = ["insert_rows"]
