"""`jingzhi metrics refresh` and `jingzhi metrics rebuild --start --end`: run the roll-up by hand.

rebuild runs in set-based SQL on PostgreSQL (rollup_sql) and day by day in Python on SQLite.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from typing import Any


def cmd_metrics(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.metrics import rollup, rollup_sql

    if args.action == "rebuild":
        if not (args.start and args.end):
            print("rebuild needs --start and --end (YYYY-MM-DD)")
            return 2
        began = time.monotonic()
        rows = rollup_sql.rebuild(date.fromisoformat(args.start), date.fromisoformat(args.end))
        rollup.take_snapshot()
        print(json.dumps({"rows": rows, "method": "sql" if rollup_sql.supported() else "python",
                          "seconds": round(time.monotonic() - began, 2)}))
        return 0
    print(json.dumps(rollup.as_dict(rollup.refresh()), ensure_ascii=False))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("metrics", help="refresh the metric roll-ups now, or rebuild a range of days")
    p.add_argument("--data-dir", help="SQLite data directory (ignored when DATABASE_URL is set)")
    p.add_argument("action", choices=["refresh", "rebuild"])
    p.add_argument("--start")
    p.add_argument("--end")
    p.set_defaults(func=cmd_metrics)
