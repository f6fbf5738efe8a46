"""The decision rows of a re-match: read the standing ones, delete the changed, stream in the new (one statement
each, whatever the number of rows).

A full match of 10,000 enterprises × 500 policies keeps up to two million rows (benchmarks/matching.py). Through
the ORM that is minutes; here PostgreSQL gets one `COPY` of text lines built directly from the decisions (the
near-miss JSON is made once per distinct condition and fact, setwise.py), and a second writer never races
this one: re-matches take one transaction-level advisory lock, so the rows a re-match read are the rows it
replaces, and the inserts need no conflict handling. SQLite (one writer at a time anyway) uses `bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from jingzhi.matching.bulk import column_of, insert_rows
from jingzhi.matching.models import FactSnapshot, Match
from jingzhi.matching.setwise import STORED_MISSING

# pg_advisory_xact_lock key of re-matching ("15" for issue 15, then "match").
REMATCH_LOCK = 15_0001
MATCH_FIELDS = ("enterprise_id", "policy_id", "version_id", "outcome", "missing", "snapshot_id", "evaluated_on",
                "evaluated_at")


def lock_matches() -> None:
    """One re-match writes at a time (held until the transaction ends); SQLite serialises writers itself.

    The commit does not wait for its WAL flush (synchronous_commit off for this transaction only): every row a
    re-match writes can be computed again, and a crash in the ≤ 0.6 s before the flush loses the re-match as a
    whole (never part of it), which the next re-match of the same pairs repeats — grants included, as they are
    made once per enterprise, policy and period. Under load the flush was a third of a one-enterprise re-match.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(%s)",
                           [REMATCH_LOCK])


def existing_matches(enterprise_ids: Sequence[int] | None,
                     policy_ids: Sequence[int] | None) -> dict[tuple[int, int], tuple[int, int, str, int]]:
    """(enterprise, policy) → (pk, version, outcome, snapshot) of the standing rows in the product of the two sets."""
    qs = Match.objects.all()
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    if policy_ids is not None:
        qs = qs.filter(policy_id__in=policy_ids)
    return {(eid, pid): (pk, vid, outcome, snap) for pk, eid, pid, vid, outcome, snap in
            qs.values_list("pk", "enterprise_id", "policy_id", "version_id", "outcome", "snapshot_id")}


def insert_snapshots_returning(rows: Sequence[tuple[int, str, Any, date]]) -> dict[int, int]:
    """PostgreSQL, a few rows: insert (enterprise, digest, facts, taken_on) snapshots, skipping any already stored;
    return enterprise → id of the rows made (one statement where the COPY path takes four and a lookup)."""
    table = connection.ops.quote_name(FactSnapshot._meta.db_table)
    values = ", ".join(["(%s, %s, %s::jsonb, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (enterprise_id, digest, facts, taken_on) VALUES {values} "  # noqa: S608 — placeholders only
            "ON CONFLICT DO NOTHING RETURNING id, enterprise_id",
            [v for eid, digest, facts, day in rows for v in (eid, digest, json.dumps(facts, ensure_ascii=False), day)])
        return {eid: pk for pk, eid in cursor.fetchall()}


def delete_matches(pks: list[int]) -> None:
    if not pks:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Match._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [pks])  # noqa: S608 — the model's own table
        return
    for chunk in range(0, len(pks), 500):
        Match.objects.filter(pk__in=pks[chunk:chunk + 500]).delete()


def _copy_text(text: str) -> str:
    # COPY's text format: backslash is the escape character; JSON never holds a raw tab or newline.
    return text.replace("\\", "\\\\") if "\\" in text else text


@dataclass
class Block:
    """Decisions of one policy with one outcome: the enterprises, their facts snapshots and, for near misses,
    what each misses (the trace row, and the JSON text kept of it)."""

    policy_id: int
    version_id: int
    outcome: str
    enterprises: list[int]
    snapshots: list[int]
    texts: list[str] | None
    missing: list[dict[str, Any]] | None


COPY_FIELDS = ("policy_id", "version_id", "outcome", "evaluated_on", "evaluated_at", "enterprise_id", "snapshot_id",
               "missing")


def insert_matches(blocks: Sequence[Block], *, on: date, now: datetime) -> int:
    """Insert the decisions of `blocks`; return the number of rows."""
    total = sum(len(b.enterprises) for b in blocks)
    if not total:
        return 0
    if connection.vendor != "postgresql":
        insert_rows(Match, MATCH_FIELDS, [
            (eid, b.policy_id, b.version_id, b.outcome, {k: m[k] for k in STORED_MISSING} if m else {}, snap, on, now)
            for b in blocks for eid, snap, m in zip(b.enterprises, b.snapshots, b.missing or [{}] * len(b.enterprises),
                                                    strict=True)])
        return total
    meta = Match._meta
    table = connection.ops.quote_name(meta.db_table)
    cols = ", ".join(connection.ops.quote_name(column_of(meta.get_field(f.removesuffix("_id")))) for f in COPY_FIELDS)
    stamp = f"{on.isoformat()}\t{now.isoformat()}"
    escaped: dict[str, str] = {}
    # For many rows the queued writer sends to the server from a thread of its own: the lines of the next block are
    # built while the server stores the last (two cores: Python and PostgreSQL overlap).
    with connection.cursor() as cursor, \
            cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN",
                               writer=QueuedLibpqWriter(cursor.cursor) if total > 20_000 else None) as copy:
        for b in blocks:
            head = f"{b.policy_id}\t{b.version_id}\t{b.outcome}\t{stamp}\t"
            if b.texts is None:
                copy.write("".join([f"{head}{e}\t{s}\t{{}}\n" for e, s in zip(b.enterprises, b.snapshots, strict=True)]))
                continue
            texts = []
            for text in b.texts:
                t = escaped.get(text)
                if t is None:
                    t = escaped[text] = _copy_text(text)
                texts.append(t)
            copy.write("".join([f"{head}{e}\t{s}\t{t}\n" for e, s, t in zip(b.enterprises, b.snapshots, texts, strict=True)]))
    return total
