"""`jingzhi warnings import FILE.xml [--json]`: apply one CAP 1.2 message to the site's database.

A stable interface: with --json one line `{"identifier", "warning", "status", "tasks": {"created", "changed",
"ended"}}` (status new / updated / cancelled, or unchanged when the message was applied before). Bad CAP exits 2
with one line on stderr naming the element; nothing is created.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path


def cmd_import(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django

    setup_django(args.data_dir)
    from jingzhi.core.errors import ApplicationError
    from jingzhi.earlywarning.services import warning_import_cap

    try:
        data = Path(args.file).expanduser().read_bytes()
    except OSError as e:
        print(f"error: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    try:
        outcome = warning_import_cap(actor=None, data=data)
    except ApplicationError as e:
        print(f"error: {e.fields.get('cap') or e.message}", file=sys.stderr)
        return 2
    result = outcome.as_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        t = result["tasks"]
        print(f"{result['identifier']}: {result['status']} (warning {result['warning']}); tasks created {t['created']}, "
              f"changed {t['changed']}, ended {t['ended']}")
    return 0


def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:
    warnings_cmd = sub.add_parser("warnings", help="early warning: import CAP 1.2 messages")
    actions = warnings_cmd.add_subparsers(dest="warnings_command", required=True)
    p = actions.add_parser("import", help="import one CAP 1.2 message (alert, update or cancel)")
    common(p)
    p.add_argument("file", help="the CAP XML file")
    p.add_argument("--json", action="store_true", help="print one JSON line")
    p.set_defaults(func=cmd_import)
