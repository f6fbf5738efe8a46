"""The production web server behind `jingzhi serve`: gunicorn (several processes) where it runs, waitress elsewhere.

One waitress process used one core of the machine at most (CPython holds one interpreter lock per process),
so a create-heavy load queued behind it while the other cores idled (issue 12, ADR 014). gunicorn forks
`workers` processes, each with `threads` threads (the gthread worker), behind one listening socket. gunicorn
does not run on Windows; there, and for `jingzhi demo` (one process with its embedded task worker), waitress
serves as before. Static files are served by whitenoise inside the application in either case.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def default_workers() -> int:
    """One worker process per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def gunicorn_available() -> bool:
    if sys.platform == "win32":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(*, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for Jingzhi (see ADR 014 for the figures behind them)."""
    return {
        "bind": [bind_address(host, port)],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # SIGTERM: stop accepting, let requests in flight finish for up to 30 s, then exit.
        "graceful_timeout": 30,
        # A request that holds a worker for two minutes is stuck (a long export streams); restart the worker.
        "timeout": 120,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "jingzhi",
        # gunicorn's runtime control socket (one per user, in the home directory) would clash between two
        # servers of one account, and nothing here uses it.
        "control_socket_disable": True,
        # The reverse proxy in front sets X-Forwarded-*; only trust it from the local machine (gunicorn's default).
        "forwarded_allow_ips": "127.0.0.1,::1",
    }


def serve_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    options = gunicorn_options(host=host, port=port, workers=workers, threads=threads)

    class JingzhiApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from jingzhi.wsgi import application

            return application

    # Forked workers must not share a database connection the parent may have opened while starting up.
    connections.close_all()
    JingzhiApplication().run()


def serve_waitress(*, host: str, port: int, threads: int) -> None:
    from waitress import serve

    from jingzhi.wsgi import application

    serve(application, host=host, port=port, threads=threads, ident="jingzhi")


def serve(*, host: str, port: int, workers: int | None, threads: int) -> str:
    """Serve until stopped; returns the name of the server that ran."""
    workers = workers or default_workers()
    if gunicorn_available():
        serve_gunicorn(host=host, port=port, workers=workers, threads=threads)
        return "gunicorn"
    if workers > 1:
        print("gunicorn is not available on this platform: one waitress process serves instead "
              f"(--workers {workers} ignored)", file=sys.stderr, flush=True)
    serve_waitress(host=host, port=port, threads=threads)
    return "waitress"
