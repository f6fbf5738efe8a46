"""The `jingzhi` command: demo, serve, worker, migrate, createadmin, audit, backup, restore, and Django's own commands via `manage`.

Every sub-command finds its database the same way: DATABASE_URL if set, else the SQLite file in
--data-dir / JINGZHI_DATA_DIR, else the default data directory that `jingzhi demo` uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

from jingzhi.api import cli as apikey_cli
from jingzhi.bootstrap import setup_django

# Meets the password policy (settings.AUTH_PASSWORD_VALIDATORS: 10+ characters, three kinds of character).
DEMO_PASSWORD = "Jingzhi-demo1"


_setup = setup_django


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    # The database cache's table (shared rate limits); a no-op when it exists.
    call_command("createcachetable", "jingzhi_cache", verbosity=verbosity)


def _serve(host: str, port: int, threads: int) -> None:
    from waitress import serve

    from jingzhi.wsgi import application

    serve(application, host=host, port=port, threads=threads, ident="jingzhi")


class ProgressBar:
    """`[██████░░░░░░]  41%  工单 cases` on one line, redrawn in place on a terminal (elsewhere a line per tenth and
    per step)."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream, self.tty = stream, bool(getattr(stream, "isatty", lambda: False)())
        self.last_tenth = -1
        self.last_step = ""
        self.last_width = 0

    def update(self, done: int, total: int, step: str = "") -> None:
        """`done` of `total` units of work; `step` names what is being built now (the cases, then each app's demo)."""
        share = done / total if total else 1.0
        filled = int(share * self.WIDTH)
        line = f"[{'█' * filled}{'░' * (self.WIDTH - filled)}] {share:4.0%}  {step}"
        if self.tty:
            self.stream.write("\r" + line.ljust(self.last_width))
            self.last_width = len(line)
            self.stream.flush()
        elif int(share * 10) != self.last_tenth or (step and step != self.last_step):
            self.last_tenth = int(share * 10)
            self.stream.write(line.rstrip() + "\n")
            self.stream.flush()
        self.last_step = step

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _quiet_console() -> None:
    """The demo's console shows the logins, the address and warnings: no task or request chatter.

    JINGZHI_LOG_LEVEL, when set, still decides (an operator debugging the demo wants the chatter).
    """
    import logging

    if "JINGZHI_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)
        for name in ("django_tasks", "django_tasks_db", "waitress", "jingzhi"):
            logging.getLogger(name).setLevel(logging.WARNING)


def cmd_demo(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from django.conf import settings

    from jingzhi.core.scheduler import start_embedded_worker
    from jingzhi.demo.loader import demo_is_loaded, load_demo

    db = settings.DATABASES["default"]
    print(f"数据库 / database: {db['NAME']} ({db['ENGINE'].rsplit('.', 1)[-1]})", flush=True)
    _quiet_console()
    _migrate()
    if not demo_is_loaded():
        print("正在生成铁岭示范城市数据… / building the Tieling demo city…", flush=True)
        bar = ProgressBar(sys.stdout)
        summary = load_demo(password=DEMO_PASSWORD, progress=bar.update)
        bar.done()
        print(summary.describe(), flush=True)
    from jingzhi.demo.loader import demo_logins

    stop = threading.Event()
    start_embedded_worker(stop)
    # The logins come last, so they are what the console shows while the demo runs.
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/"
    print(f"\n示范账号 / demo logins (密码 password: {DEMO_PASSWORD})")
    for username, role, name in demo_logins():
        print(f"  {username:<14} {role:<12} {name}")
    print(f"\n精治 Jingzhi: {url}  (Ctrl+C 停止 / to stop)\n", flush=True)
    if not args.no_browser and (os.environ.get("DISPLAY") or sys.platform in ("darwin", "win32")):
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        _serve(args.host, args.port, args.threads)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from jingzhi.serving import serve

    if args.server == "waitress":
        _serve(args.host, args.port, args.threads)
    else:
        serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from jingzhi.core.scheduler import run_worker

    run_worker(with_scheduler=not args.no_scheduler)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    _migrate(verbosity=1)
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    import getpass

    from jingzhi.core.errors import ApplicationError
    from jingzhi.org.services import admin_create_from_cli

    password = args.password or os.environ.get("JINGZHI_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print("error: give --password or JINGZHI_ADMIN_PASSWORD when not run interactively", file=sys.stderr)
            return 2
        password = getpass.getpass("Password: ")
    try:
        admin_create_from_cli(username=args.username, display_name=args.name or args.username, password=password)
    except ApplicationError as e:
        for field, message in e.fields.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    print(f"administrator {args.username} is ready")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup(args.data_dir)
    from django.core.management import execute_from_command_line

    from jingzhi.org.services import superusers_audit_new, superusers_known

    if not (args.rest and args.rest[0] == "createsuperuser"):
        execute_from_command_line(["jingzhi manage", *args.rest])
        return 0
    # Django's createsuperuser makes administrators outside our services: audit what it made. Through
    # call_command, which (unlike the command line runner) keeps the database connection for the audit row.
    from django.core.management import CommandError, call_command

    before = superusers_known()
    try:
        call_command(*args.rest)
    except CommandError as e:
        print(f"CommandError: {e}", file=sys.stderr)
        return 1
    finally:
        superusers_audit_new(known=before, source="jingzhi manage createsuperuser")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jingzhi", description="精治 Jingzhi — city government, on time.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, *, web: bool = False, threads: int = 8) -> None:
        p.add_argument("--data-dir", help="SQLite data directory (ignored when DATABASE_URL is set)")
        if web:
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=int, default=8000)
            p.add_argument("--threads", type=int, default=threads, help=f"threads per process (default {threads})")

    p = sub.add_parser("demo", help="create (or reuse) the demo city on SQLite and serve it")
    common(p, web=True)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("serve", help="serve the web site and APIs (production)")
    common(p, web=True, threads=4)
    p.add_argument("--workers", type=int, default=None,
                   help="web processes (default: one per core); gunicorn, or one waitress process where it does not run")
    p.add_argument("--server", choices=["auto", "waitress"], default="auto",
                   help="auto: gunicorn where available; waitress: one process (as `jingzhi demo` serves)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("worker", help="run background tasks (and, unless --no-scheduler, periodic jobs)")
    common(p)
    p.add_argument("--no-scheduler", action="store_true")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("migrate", help="create or upgrade the database schema")
    common(p)
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("createadmin", help="create or reset an administrator")
    common(p)
    p.add_argument("--username", default="admin")
    p.add_argument("--name", default="")
    p.add_argument("--password")
    p.set_defaults(func=cmd_createadmin)
    p = sub.add_parser("manage", help="run a Django management command")
    common(p)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    apikey_cli.register(sub)
    from jingzhi.dispatch.cli import register as register_dispatch

    register_dispatch(sub, common)
    from jingzhi.metrics.cli import register as register_metrics

    register_metrics(sub)
    from jingzhi.hotspots.cli import register as register_hotspots

    register_hotspots(sub)
    from jingzhi.org.cli import register as register_divisions

    register_divisions(sub)

    from jingzhi.earlywarning.cli import register as register_warnings

    register_warnings(sub, common)
    from jingzhi.core.cli import register as register_core

    register_core(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
