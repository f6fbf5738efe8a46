"""`jingzhi audit verify|purge`, `jingzhi backup --out FILE`, `jingzhi restore FILE [--force]` and `jingzhi replicas`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def cmd_audit(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from django.utils import timezone

    from jingzhi.core.audit import audit_purge, audit_verify, retention_days

    if args.audit_command == "purge":
        deleted = audit_purge(actor=None)
        print(f"purged {deleted} audit rows older than {retention_days()} days")
        return 0
    report = audit_verify()
    if report.ok:
        print(f"OK: {report.count} audit rows, chain head {report.head}")
        return 0
    when = timezone.localtime(report.broken_at).isoformat() if report.broken_at else "?"
    print(f"BROKEN: audit row id={report.broken_id} time={when}: {report.reason} "
          f"({report.count} rows before it verified)", file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.core.backup import backup_create
    from jingzhi.core.errors import ApplicationError

    out = Path(args.out).expanduser()
    try:
        manifest = backup_create(out=out)
    except ApplicationError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    print(f"backup written: {out} ({out.stat().st_size} bytes, {len(manifest.tables)} tables, "
          f"{sum(manifest.tables.values())} rows, {manifest.media_files} files, audit head {manifest.audit_head})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.core.backup import backup_restore
    from jingzhi.core.errors import ApplicationError

    try:
        report = backup_restore(archive=Path(args.file).expanduser(), force=args.force)
    except ApplicationError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    for name, (expected, found) in sorted(report.mismatches.items()):
        print(f"row count differs: {name}: backup {expected}, restored {found}", file=sys.stderr)
    print(f"restored {report.tables} tables, {report.rows} rows in {report.seconds:.1f} s; audit chain: "
          f"{report.audit_message}", file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_replicas(args: argparse.Namespace) -> int:
    """One JSON line per configured read replica: reachable, its lag, in service or not (and why)."""
    import json

    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.core import replicas

    states = replicas.status()
    if not states:
        print("no read replicas configured (JINGZHI_DATABASE_REPLICA_URLS)")
        return 0
    for state in states:
        print(json.dumps(state, ensure_ascii=False))
    return 0 if all(s["ok"] for s in states) else 1


def register(sub: argparse._SubParsersAction, common: Callable[..., None]) -> None:  # type: ignore[type-arg]
    """Add `audit`, `backup` and `restore` to the `jingzhi` command."""
    p = sub.add_parser("audit", help="verify the audit log's hash chain, or purge rows past the retention")
    common(p)
    actions = p.add_subparsers(dest="audit_command", required=True)
    actions.add_parser("verify", help="recompute the chain; exit 1 and name the first broken row")
    actions.add_parser("purge", help="delete rows older than the retention (JINGZHI_AUDIT_RETENTION_DAYS, ≥ 180)")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("backup", help="write the database and the attachments to one archive (0600)")
    common(p)
    p.add_argument("--out", required=True, help="the archive file to write")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore an archive made by `jingzhi backup`, then verify it")
    common(p)
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace a site that is already there")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("replicas", help="check each read replica now: reachable, lag, in service; exit 1 if one is out")
    common(p)
    p.set_defaults(func=cmd_replicas)
