"""`jingzhi serve`: several gunicorn processes behind one port, an access log on stdout, a graceful SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from jingzhi import serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — a local URL
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


@pytest.mark.skipif(not serving.gunicorn_available(), reason="gunicorn does not run on this platform")
def test_serve_runs_workers_logs_requests_and_stops_gracefully(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "JINGZHI_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    jingzhi = [sys.executable, "-m", "jingzhi.cli"]
    out, err = (tmp_path / "out.log").open("w+"), (tmp_path / "err.log").open("w+")
    server = subprocess.Popen(  # noqa: S603 — our own command
        [*jingzhi, "serve", "--port", str(port), "--workers", "2", "--threads", "2"], env=env, stdout=out, stderr=err
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = _get(f"http://127.0.0.1:{port}/no-such-page/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert status == 404
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 0
    finally:
        if server.poll() is None:
            server.kill()
    err.seek(0)
    out.seek(0)
    log, access = err.read(), out.read()
    assert "Using worker: gthread" in log
    assert log.count("Booting worker") == 2
    assert "Handling signal: term" in log
    assert '"GET /no-such-page/ HTTP/1.1" 404' in access


def test_workers_default_to_the_cores_this_process_may_use() -> None:
    assert 1 <= serving.default_workers() <= (os.cpu_count() or 1)


def test_options_bind_ipv6_and_use_threads() -> None:
    options = serving.gunicorn_options(host="::", port=8000, workers=3, threads=4)
    assert options["bind"] == ["[::]:8000"]
    assert (options["workers"], options["threads"], options["worker_class"], options["accesslog"]) == (3, 4, "gthread", "-")
