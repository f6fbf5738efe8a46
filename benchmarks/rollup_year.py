"""How long `jingzhi metrics rebuild` takes for a year of cases, and whether it writes what compute_day writes.

Runs on an existing database (DATABASE_URL; e.g. the 10 M cases of `benchmarks/scale.py --generate-only`): rebuilds
the `--days` days (default 365) that end on the day of the newest case with the set-based SQL rebuild
(metrics.rollup_sql, as `jingzhi metrics rebuild --start --end` does), timed; then, for `--check-days` days drawn
at random from that range, reads what the SQL wrote for the day, rebuilds the day with compute_day (rollup_day,
the Python path) and compares the four roll-up tables row for row. Prints one JSON line: cases, days, rows,
seconds, checked_days, mismatched_days, python_seconds_per_checked_day.

The issue's target (issue 12): a year at 10 M cases in ≤ 10 minutes.

Usage: DATABASE_URL=postgres://… python benchmarks/rollup_year.py [--days 365] [--check-days 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--check-days", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhi.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from jingzhi.cases.models import Case
    from jingzhi.metrics import rollup, rollup_sql

    if not rollup_sql.supported():
        print(json.dumps({"error": "the SQL rebuild runs on PostgreSQL only"}))
        return 2
    newest = Case.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    if newest is None:
        print(json.dumps({"error": "no cases"}))
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_case'")
        cases = int(cursor.fetchone()[0])
        if cases < 0:  # never analysed: count them
            cursor.execute("SELECT count(*) FROM cases_case")
            cases = int(cursor.fetchone()[0])
    end = timezone.localtime(newest).date()
    start = end - timedelta(days=args.days - 1)
    began = time.perf_counter()
    rows = rollup_sql.rebuild(start, end)
    seconds = time.perf_counter() - began

    rng = random.Random(args.seed)
    days = sorted(rng.sample(range(args.days), min(args.check_days, args.days)))
    mismatched, python_seconds = [], []
    for offset in days:
        day = start + timedelta(days=offset)
        written = _day_tables(day)
        t0 = time.perf_counter()
        rollup.rollup_day(day)  # compute_day, written in place of the SQL's rows for that day
        python_seconds.append(time.perf_counter() - t0)
        if _day_tables(day) != written:
            mismatched.append(day.isoformat())
    print(json.dumps({
        "cases": cases, "first_day": start.isoformat(), "last_day": end.isoformat(), "days": args.days, "rows": rows,
        "seconds": round(seconds, 1), "checked_days": [(start + timedelta(days=o)).isoformat() for o in days],
        "mismatched_days": mismatched,
        "python_seconds_per_checked_day": round(sum(python_seconds) / max(1, len(python_seconds)), 2),
    }))
    return 0 if not mismatched else 1


def _day_tables(day: date) -> dict[str, list[Any]]:
    """One day's rows of the four roll-up tables, as comparable tuples (the durations as lists)."""
    from jingzhi.metrics import rollup
    from jingzhi.metrics.models import DailyCategoryRollup, DailyIntake, DailyRollup, DailyUnitRollup

    keys = {
        DailyRollup: ("division_id", "unit_id", "category_id"),
        DailyUnitRollup: ("division_id", "unit_id"),
        DailyCategoryRollup: ("division_id", "category_id"),
    }
    out: dict[str, list[Any]] = {}
    for model, key in keys.items():
        fields = (*key, *rollup.COUNTERS, "ack_seconds", "reply_seconds")
        out[model.__name__] = sorted(
            (tuple(r[:-2]) + (list(r[-2]), list(r[-1])) for r in model.objects.filter(day=day).values_list(*fields)),
            key=repr,
        )
    out["DailyIntake"] = sorted(
        DailyIntake.objects.filter(day=day).values_list("division_id", "channel", "kind", "received"), key=repr
    )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
