# ruff: noqa: S608 — every SQL string here is built from this module's own constants; values travel as parameters
"""Server-side generation of the scale benchmark's city, and its roll-ups, in set-based SQL (used by scale.py).

Why SQL: building 10 million cases and 60 million events as COPY text in Python took ~9 minutes per million,
and rolling up every day through `rollup.rollup_day` another ~4.5 minutes per million; both grow linearly, so
10 million would take over two hours. Here PostgreSQL draws the same distributions with random() over
generate_series, in chunks, into tables whose secondary indexes and constraints are dropped for the load and
rebuilt after it (one sorted build instead of millions of index insertions), and the roll-up tables are filled
by GROUP BY over all facts at once. The roll-up SQL follows `metrics.rollup.compute_day` rule for rule; scale.py
checks it against `compute_day` on sample days, so a drift between the two fails the benchmark.
"""

from __future__ import annotations

import bisect
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

PLACES = ["银州区", "清河区", "开原市", "西丰县", "昌图县", "调兵山市", "铁岭县", "新台子镇"]
WORDS = ["供暖", "噪音扰民", "物业", "停水", "路灯", "占道经营", "拖欠工资", "不动产登记", "垃圾清运", "公交线路", "学区", "医保报销"]
KINDS = [("complaint", 40), ("help", 20), ("inquiry", 20), ("suggestion", 8), ("report", 5), ("praise", 2),
         ("enterprise", 3), ("dispute", 2)]
CHANNELS = [("hotline", 60), ("web", 15), ("app", 15), ("window", 5), ("letter", 3), ("open311", 2)]
OPEN_STATUSES = ["accepted", "dispatched", "handling", "replied", "followed_up"]
LUT = 100_000  # slots of the lookup tables that turn one random() into a weighted choice
CHUNK = 500_000  # cases per INSERT statement: bounded temporary space, and progress to watch
MAX_OPEN_P = 0.97  # --open-cases raises the chance that a case is still open, never to certainty

LOAD_TABLES = (
    "cases_case", "cases_caseevent", "cases_followup",
    "metrics_dailyrollup", "metrics_dailyunitrollup", "metrics_dailycategoryrollup", "metrics_dailyintake",
)


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def lookup(weights: Sequence[float], slots: int = LUT) -> list[int]:
    """slots entries of 1-based indexes, each appearing in proportion to its weight: arr[1 + floor(random() * slots)]."""
    total = float(sum(weights))
    cumulative, running = [], 0.0
    for w in weights:
        running += w / total
        cumulative.append(running)
    return [min(len(weights), bisect.bisect_left(cumulative, (k + 0.5) / slots) + 1) for k in range(slots)]


@contextmanager
def bulk_load(cur: Any, tables: Sequence[str] = LOAD_TABLES) -> Iterator[None]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints for the load; recreate them after.

    The definitions are read from the catalogue (pg_get_indexdef, pg_get_constraintdef), so the rebuilt schema is
    the one the migrations made, names included; foreign keys are validated when they are added back.
    """
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [list(tables)],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('u', 'p'))",
        [list(tables)],
    )
    indexes = cur.fetchall()
    for table, name, _definition, _type in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
    for name, _definition in indexes:
        cur.execute(f"DROP INDEX IF EXISTS {name}")
    log(f"dropped {len(indexes)} indexes and {len(constraints)} constraints for the load")
    yield
    for name, definition in indexes:
        t0 = time.perf_counter()
        cur.execute(definition)
        log(f"index {name}: {time.perf_counter() - t0:.0f}s")
    for table, name, definition, _type in constraints:
        t0 = time.perf_counter()
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        log(f"constraint {name}: {time.perf_counter() - t0:.0f}s")


def _chunk_sql() -> str:
    """One chunk of cases [a, b] with their events and follow-ups, in one statement (data-modifying CTEs)."""
    c = "least(CASE " + " ".join(
        f"WHEN extract(isodow FROM c{k} AT TIME ZONE %(tz)s) < 6 OR k{k} < 0.6 THEN c{k}" for k in (1, 2, 3)
    ) + " ELSE c4 END, %(now)s::timestamptz - interval '1 minute')"
    candidates = ", ".join(
        f"%(start)s::timestamptz + power(random(), 0.9) * interval '365 days' AS c{k}, random() AS k{k}" for k in (1, 2, 3, 4)
    )
    draws = ", ".join(f"random() AS {name}" for name in (
        "r_town", "r_cat", "r_unit", "r_kind", "r_chan", "r_pri", "r_open", "r_state", "r_merge", "d1", "d2", "d3", "d4",
        "d5", "r_ext", "r_reo", "r_ret", "r_con", "r_res", "r_sat", "p1", "p2", "p3", "w1", "w2", "w3",
    ))
    return f"""
WITH r AS (
  SELECT i, {candidates}, {draws} FROM generate_series(%(a)s::bigint, %(b)s::bigint) AS i
), a AS (
  SELECT r.*, {c} AS created,
    (%(town_lut)s::int[])[1 + floor(r_town * {LUT})::int] AS t_ix,
    (%(cat_lut)s::int[])[1 + floor(r_cat * {LUT})::int] AS c_ix,
    CASE WHEN r_pri < 0.03 THEN 'emergency' WHEN r_pri < 0.13 THEN 'utilities' ELSE 'normal' END AS priority,
    r_ext < 0.04 AS extended, r_reo < 0.03 AS reopened, r_ret < 0.05 AS returned
  FROM r
), b AS (
  SELECT a.*,
    (%(town_pk)s::bigint[])[t_ix] AS town, (%(town_county_unit)s::bigint[])[t_ix] AS county_unit,
    (%(cat_pk)s::bigint[])[c_ix] AS cat,
    CASE WHEN r_unit < 0.75 THEN (%(cat_unit)s::bigint[])[c_ix] ELSE (%(town_county_unit)s::bigint[])[t_ix] END AS unit,
    created + interval '1 hour' * (0.2 + 19.8 * d1) AS dispatched,
    least(%(max_open)s, %(open_scale)s * CASE
      WHEN %(now)s::timestamptz - created < interval '2 days' THEN 0.9
      WHEN %(now)s::timestamptz - created < interval '10 days' THEN 0.5
      WHEN %(now)s::timestamptz - created < interval '30 days' THEN 0.15 ELSE 0.01 END) AS p_open
  FROM a
), t AS (
  SELECT b.*, dispatched + interval '1 hour' * (0.1 + 5.9 * d2) AS acked FROM b
), t2 AS (
  SELECT t.*, acked + interval '1 hour' * (4 + 212 * d3) AS replied FROM t
), t3 AS (
  SELECT t2.*, replied + interval '1 hour' * (2 + 38 * d4) AS followed,
    CASE WHEN r_merge < 0.01 THEN 'merged'
         WHEN r_open < p_open THEN (%(open_statuses)s::text[])[1 + floor(r_state * 5)::int] ELSE 'closed' END AS status0
  FROM t2
), t4 AS (
  SELECT t3.*, followed + interval '1 hour' * (0.5 + 19.5 * d5) AS closed,
    CASE status0 WHEN 'dispatched' THEN 1 WHEN 'handling' THEN 2 WHEN 'replied' THEN 3 WHEN 'followed_up' THEN 4
                 WHEN 'closed' THEN 5 ELSE 0 END AS stage0
  FROM t3
), g AS MATERIALIZED (
  SELECT t4.*,
    CASE WHEN future THEN 'accepted' ELSE status0 END AS status, CASE WHEN future THEN 0 ELSE stage0 END AS stage,
    dispatched + interval '1 hour' * (CASE WHEN priority = 'emergency' THEN 2 ELSE 168 END)
      + CASE WHEN extended THEN interval '120 hours' ELSE interval '0' END AS reply_due
  FROM (
    SELECT t4.*, (CASE stage0 WHEN 1 THEN dispatched WHEN 2 THEN acked WHEN 3 THEN replied WHEN 4 THEN followed
                  WHEN 5 THEN closed ELSE created END) > %(now)s::timestamptz AS future
    FROM t4
  ) AS t4
), ins_case AS (
  INSERT INTO cases_case (id, number, channel, kind, priority, status, title, content, category_id, division_id,
    lead_unit_id, requester_name, requester_phone, requester_id_number, address, created_at, dispatched_at,
    acknowledged_at, replied_at, followed_up_at, closed_at, updated_at, dispatch_due, acknowledge_due, reply_due,
    follow_up_due, extensions_granted, supervision, reopen_count, return_count, reply, outcome, resolution, satisfaction,
    contacted, version, review, review_reasons)
  SELECT i, 'SC' || lpad(i::text, 10, '0'),
    (%(channels)s::text[])[1 + floor(r_chan * 100)::int], (%(kinds)s::text[])[1 + floor(r_kind * 100)::int],
    priority, status,
    (%(places)s::text[])[1 + floor(p1 * 8)::int] || (%(words)s::text[])[1 + floor(w1 * 12)::int] || '问题 ' || i,
    (%(places)s::text[])[1 + floor(p2 * 8)::int] || (%(words)s::text[])[1 + floor(w2 * 12)::int] || '，'
      || (%(words)s::text[])[1 + floor(w3 * 12)::int] || '，请尽快处理。编号' || i,
    cat, town, CASE WHEN stage >= 1 THEN unit END, '市民', '138****0000', '',
    (%(places)s::text[])[1 + floor(p3 * 8)::int],
    created, CASE WHEN stage >= 1 THEN dispatched END, CASE WHEN stage >= 2 THEN acked END,
    CASE WHEN stage >= 3 THEN replied END, CASE WHEN stage >= 4 THEN followed END, CASE WHEN stage >= 5 THEN closed END,
    %(now)s::timestamptz, created + interval '1 hour' * (CASE WHEN priority = 'emergency' THEN 1 ELSE 24 END),
    CASE WHEN stage >= 1 THEN dispatched + interval '1 hour' * (CASE WHEN priority = 'emergency' THEN 0.5 ELSE 4 END) END,
    CASE WHEN stage >= 1 THEN reply_due END, CASE WHEN stage = 3 THEN followed + interval '48 hours' END,
    CASE WHEN extended AND stage >= 2 THEN 1 ELSE 0 END,
    CASE WHEN stage IN (1, 2) AND %(now)s::timestamptz > reply_due
         THEN CASE WHEN %(now)s::timestamptz - reply_due > interval '7 days' THEN 3 ELSE 2 END ELSE 0 END,
    CASE WHEN reopened AND stage >= 4 THEN 1 ELSE 0 END, CASE WHEN returned AND stage >= 1 THEN 1 ELSE 0 END,
    CASE WHEN stage >= 3 THEN '已办理' ELSE '' END, '',
    CASE WHEN stage >= 4 AND r_con < 0.95 THEN
      CASE WHEN r_res < 0.75 THEN 'resolved' WHEN r_res < 0.90 THEN 'partly' ELSE 'unresolved' END ELSE '' END,
    CASE WHEN stage >= 4 AND r_con < 0.95 THEN
      CASE WHEN r_sat < 0.70 THEN 'satisfied' WHEN r_sat < 0.90 THEN 'basically' ELSE 'unsatisfied' END ELSE '' END,
    CASE WHEN stage >= 4 THEN r_con < 0.95 END, stage + 1, '', '[]'::jsonb
  FROM g
), ins_event AS (
  INSERT INTO cases_caseevent (case_id, action, actor_unit_id, from_status, to_status, note, data, created_at)
  SELECT i, e.action, e.unit, e.frm, e.too, '', '{{}}'::jsonb, e.at
  FROM g CROSS JOIN LATERAL (VALUES
    (0, 'create', created, NULL::bigint, '', 'accepted', true),
    (1, 'dispatch', created + (dispatched - created) / 3, NULL, 'accepted', 'dispatched', stage >= 1 AND returned),
    (2, 'return', created + (dispatched - created) / 2, county_unit, 'dispatched', 'returned', stage >= 1 AND returned),
    (3, 'dispatch', dispatched, NULL, 'accepted', 'dispatched', stage >= 1),
    (4, 'acknowledge', acked, unit, 'dispatched', 'handling', stage >= 2),
    -- An extension granted while the reply is still to come lies between the acknowledgement and now.
    (5, 'approve_extension', acked + (least(replied, %(now)s::timestamptz) - acked) / 2, NULL, 'handling', 'handling',
        stage >= 2 AND extended),
    (6, 'reply', replied, unit, 'handling', 'replied', stage >= 3),
    (7, 'follow_up', followed, NULL, 'replied', 'followed_up', stage >= 4),
    (8, 'reopen', followed + interval '1 hour', NULL, 'followed_up', 'handling', stage >= 5 AND reopened),
    (9, 'close', closed, NULL, 'followed_up', 'closed', stage >= 5)
  ) AS e(seq, action, at, unit, frm, too, keep)
  WHERE e.keep
  ORDER BY i, e.seq
)
INSERT INTO cases_followup (case_id, actor_id, contacted, resolution, satisfaction, note, unit_id, created_at)
SELECT i, %(leader)s, r_con < 0.95,
  CASE WHEN r_con < 0.95 THEN CASE WHEN r_res < 0.75 THEN 'resolved' WHEN r_res < 0.90 THEN 'partly' ELSE 'unresolved' END ELSE '' END,
  CASE WHEN r_con < 0.95 THEN CASE WHEN r_sat < 0.70 THEN 'satisfied' WHEN r_sat < 0.90 THEN 'basically' ELSE 'unsatisfied' END ELSE '' END,
  '', unit, followed
FROM g WHERE stage >= 4
"""


def _params(org: dict[str, Any], *, now: datetime, open_scale: float) -> dict[str, Any]:
    towns = org["towns"]  # [(town pk, county pk)], in pk order
    cats = org["categories"]
    units = org["units"]
    return {
        "tz": "Asia/Shanghai", "now": now, "start": now - timedelta(days=365),
        "town_lut": lookup([1 / (i + 1) ** 0.8 for i in range(len(towns))]),
        "town_pk": [t for t, _c in towns], "town_county_unit": [org["county_unit"][c] for _t, c in towns],
        "cat_lut": lookup([1 / (i + 1) for i in range(len(cats))]),
        "cat_pk": cats, "cat_unit": [units[i % len(units)] for i in range(len(cats))],
        "kinds": [k for k, w in KINDS for _ in range(w)], "channels": [c for c, w in CHANNELS for _ in range(w)],
        "places": PLACES, "words": WORDS, "open_statuses": OPEN_STATUSES, "leader": org["leader"].pk,
        "open_scale": open_scale, "max_open": MAX_OPEN_P,
    }


def _open_share(cur: Any, params: dict[str, Any], sample: int = 50_000) -> float:
    """The share of generated cases that end open for these parameters, from a sample (nothing is written)."""
    sql = _chunk_sql()
    select = sql[: sql.index("), ins_case AS (")] + ") SELECT avg((status NOT IN ('closed', 'merged'))::int) FROM g"
    cur.execute("SELECT setseed(0.5)")
    cur.execute(select, {**params, "a": 1, "b": sample})
    return float(cur.fetchone()[0])


def open_scale_for(cur: Any, org: dict[str, Any], *, n: int, open_cases: int, now: datetime) -> float:
    """The factor on the chance of being open that makes about `open_cases` of the n cases open (bisection)."""
    lo, hi = 1.0, 100.0
    base = _params(org, now=now, open_scale=1.0)
    if _open_share(cur, base) * n >= open_cases:
        return 1.0
    for _ in range(10):  # the factor to within 0.1: plenty for "about M open"
        mid = (lo + hi) / 2
        if _open_share(cur, {**base, "open_scale": mid}) * n < open_cases:
            lo = mid
        else:
            hi = mid
    return hi


def generate(cur: Any, org: dict[str, Any], *, n: int, now: datetime, seed: int, open_scale: float = 1.0) -> None:
    """Insert cases 1..n with their events and follow-ups (the tables are empty and unindexed)."""
    params = _params(org, now=now, open_scale=open_scale)
    sql = _chunk_sql()
    for a in range(1, n + 1, CHUNK):
        b = min(n, a + CHUNK - 1)
        t0 = time.perf_counter()
        # One seed per chunk: the same N and seed give the same city whatever happened before.
        cur.execute("SELECT setseed(%s)", [((seed * 7919 + a) % 2_000_000) / 1_000_000 - 1])
        cur.execute(sql, {**params, "a": a, "b": b})
        log(f"cases {a}–{b}: {time.perf_counter() - t0:.1f}s")


def build_rollups(cur: Any, *, calendar: Any, coarse: dict[int, int], first: date, last: date) -> None:
    """Fill every roll-up table for the days first..last from all facts at once (the tables are empty)."""
    # The product's own SQL pieces (metrics/rollup_sql.py), imported here because Django is set up by now.
    from jingzhi.metrics.rollup_sql import COUNTERS, _python_round, _working_at, calendar_rows

    tz = "Asia/Shanghai"
    cur.execute("DROP TABLE IF EXISTS sc_cal, sc_coarse, sc_facts")
    cur.execute("CREATE UNLOGGED TABLE sc_cal (day date PRIMARY KEY, lo timestamptz, hi timestamptz, work bool, before numeric)")
    rows = calendar_rows(calendar, first - timedelta(days=2), last + timedelta(days=2))
    cur.executemany("INSERT INTO sc_cal VALUES (%s, %s, %s, %s, %s)", rows)
    cur.execute("CREATE UNLOGGED TABLE sc_coarse (division_id bigint PRIMARY KEY, county_id bigint)")
    cur.executemany("INSERT INTO sc_coarse VALUES (%s, %s)", list(coarse.items()))
    zeros = {name: "0" for name in COUNTERS}

    def select(values: dict[str, str], ack: str = "NULL::numeric", reply: str = "NULL::numeric") -> str:
        return ", ".join([values.get(name, zeros[name]) + f" AS {name}" for name in COUNTERS] + [f"{ack} AS ack_s", f"{reply} AS reply_s"])

    duration = _python_round(f"({_working_at('ca', 'e.created_at')} - {_working_at('cd', 'c.dispatched_at')})")
    on_dispatch = "c.dispatched_at IS NOT NULL AND c.dispatched_at <= e.created_at"
    t0 = time.perf_counter()
    cur.execute(f"""
CREATE UNLOGGED TABLE sc_facts AS
SELECT (created_at AT TIME ZONE '{tz}')::date AS day, division_id, lead_unit_id AS unit_id, category_id,
  {select({"received": "(status <> 'merged')::int", "merged": "(status = 'merged')::int",
           "emergencies": "(status <> 'merged' AND priority = 'emergency')::int"})}
FROM cases_case
UNION ALL
SELECT (e.created_at AT TIME ZONE '{tz}')::date, c.division_id,
  CASE WHEN e.action IN ('acknowledge', 'return') THEN coalesce(e.actor_unit_id, c.lead_unit_id) ELSE c.lead_unit_id END,
  c.category_id,
  {select({"acknowledged": "(e.action = 'acknowledge')::int",
           "acknowledged_on_time": "(e.action = 'acknowledge' AND (c.acknowledge_due IS NULL OR e.created_at <= c.acknowledge_due))::int",
           "replied": "(e.action = 'reply')::int",
           "replied_on_time": "(e.action = 'reply' AND (c.reply_due IS NULL OR e.created_at <= c.reply_due))::int",
           "returned": "(e.action = 'return')::int", "reopened": "(e.action = 'reopen')::int",
           "extended": "(e.action = 'approve_extension')::int"},
          ack=f"CASE WHEN e.action = 'acknowledge' AND {on_dispatch} THEN {duration} END",
          reply=f"CASE WHEN e.action = 'reply' AND {on_dispatch} THEN {duration} END")}
FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
  LEFT JOIN sc_cal ca ON ca.day = (e.created_at AT TIME ZONE '{tz}')::date
  LEFT JOIN sc_cal cd ON cd.day = (c.dispatched_at AT TIME ZONE '{tz}')::date
WHERE e.action IN ('acknowledge', 'reply', 'return', 'reopen', 'approve_extension')
UNION ALL
SELECT (f.created_at AT TIME ZONE '{tz}')::date, c.division_id, f.unit_id, c.category_id,
  {select({"followed_up": "1", "contacted": "f.contacted::int", "resolved": "(f.resolution = 'resolved')::int",
           "partly": "(f.resolution = 'partly')::int", "satisfied": "(f.satisfaction = 'satisfied')::int",
           "basically": "(f.satisfaction = 'basically')::int"})}
FROM cases_followup f JOIN cases_case c ON c.id = f.case_id
""")
    log(f"facts table: {time.perf_counter() - t0:.0f}s")
    sums = ", ".join(f"sum({name})" for name in COUNTERS)
    arrays = ("coalesce(jsonb_agg(ack_s ORDER BY ack_s) FILTER (WHERE ack_s IS NOT NULL), '[]'::jsonb), "
              "coalesce(jsonb_agg(reply_s ORDER BY reply_s) FILTER (WHERE reply_s IS NOT NULL), '[]'::jsonb)")
    columns = ", ".join(COUNTERS) + ", ack_seconds, reply_seconds"
    bounded = "day BETWEEN %(first)s AND %(last)s"
    for table, keys, source in (
        ("metrics_dailyrollup", "day, division_id, unit_id, category_id", "sc_facts"),
        ("metrics_dailyunitrollup", "day, division_id, unit_id",
         "(SELECT f.*, k.county_id FROM sc_facts f JOIN sc_coarse k USING (division_id)) s"),
        ("metrics_dailycategoryrollup", "day, division_id, category_id",
         "(SELECT f.*, k.county_id FROM sc_facts f JOIN sc_coarse k USING (division_id)) s"),
    ):
        group = keys if table == "metrics_dailyrollup" else keys.replace("division_id", "county_id")
        t0 = time.perf_counter()
        cur.execute(
            f"INSERT INTO {table} ({keys}, {columns}) SELECT {group}, {sums}, {arrays} FROM {source} "  # noqa: S608 — fixed names
            f"WHERE {bounded} GROUP BY {group}",
            {"first": first, "last": last},
        )
        log(f"{table}: {cur.rowcount} rows, {time.perf_counter() - t0:.0f}s")
    cur.execute(
        f"INSERT INTO metrics_dailyintake (day, division_id, channel, kind, received) "
        f"SELECT (created_at AT TIME ZONE '{tz}')::date AS day, division_id, channel, kind, count(*) FROM cases_case "
        f"WHERE status <> 'merged' AND (created_at AT TIME ZONE '{tz}')::date BETWEEN %(first)s AND %(last)s "
        f"GROUP BY 1, 2, 3, 4",
        {"first": first, "last": last},
    )
    cur.execute("DROP TABLE sc_cal, sc_coarse, sc_facts")
