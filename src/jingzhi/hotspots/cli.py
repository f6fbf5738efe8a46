"""`jingzhi hotspots detect`: hotspots in a CSV of messages, without a database.

Its arguments and its JSON are a stable interface (benchmarks/hotspots.py and batch users call it):
one document `{"hotspots": [{"rank", "heat", "ids", "place", "from", "to", "summary", "count", "reporters",
"supporters"}, …]}` with every group of two or more messages, hottest first. Bad input exits 2 with one line
on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from typing import Any


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def hotspot_json(rank: int, hotspot: Any) -> dict[str, Any]:
    return {"rank": rank, "heat": hotspot.heat, "ids": hotspot.ids, "place": hotspot.place,
            "from": hotspot.start.isoformat(), "to": hotspot.end.isoformat(), "summary": hotspot.summary,
            "count": hotspot.count, "reporters": hotspot.reporters, "supporters": hotspot.supporters}


def cmd_detect(args: argparse.Namespace) -> int:
    from jingzhi.hotspots.csvio import Columns, InputError, read_messages
    from jingzhi.hotspots.grouping import Settings, detect

    if not args.csv:
        return _fail("give --csv FILE")
    if args.window_days <= 0:
        return _fail("--window-days must be positive")
    text_columns = [c.strip() for c in args.text_columns.split(",") if c.strip()]
    columns = Columns(id=args.id_column, text=text_columns, time=args.time_column, support=args.support_column,
                      reporter=args.reporter_column)
    try:
        messages = read_messages(args.csv, columns)
    except InputError as e:
        return _fail(str(e))
    hotspots = detect(messages, Settings(window=timedelta(days=args.window_days)))
    if args.json:
        print(json.dumps({"hotspots": [hotspot_json(i, h) for i, h in enumerate(hotspots, start=1)]},
                         ensure_ascii=False))
        return 0
    for i, h in enumerate(hotspots, start=1):
        print(f"{i:>4}  heat {h.heat:>6}  {h.count:>3} msgs  {h.start:%Y-%m-%d}…{h.end:%Y-%m-%d}  {h.place}  {h.summary}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    hotspots = sub.add_parser("hotspots", help="hotspots: groups of messages about one problem at one place")
    actions = hotspots.add_subparsers(dest="hotspots_command", required=True)
    p = actions.add_parser("detect", help="find hotspots in a CSV of messages (no database)")
    p.add_argument("--csv", help="UTF-8 CSV, one message a row")
    p.add_argument("--id-column", default="id")
    p.add_argument("--text-columns", default="title,detail", help="comma-separated; the first is the title")
    p.add_argument("--time-column", default="posted_at", help="times without a zone are Asia/Shanghai")
    p.add_argument("--support-column", default=None,
                   help="supporters (likes) per message; default: 'likes' if the file has it; '' for none")
    p.add_argument("--reporter-column", default=None,
                   help="who wrote the message; default: 'user' if the file has it; '' for none")
    p.add_argument("--window-days", type=float, default=30.0, help="messages further apart are never paired")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_detect)
