"""Fault test (issue 10): the web server and the worker are killed with SIGKILL under load and started again.

Real processes against a database of the test's own (a fresh PostgreSQL database when DATABASE_URL names one,
else a SQLite file in a temporary data directory): `jingzhi migrate`, `jingzhi serve` (gunicorn, two processes)
and `jingzhi worker`. Client threads submit through the REST API, Open311 and the public page, a bounded number
of submissions each, and retry a request that got no answer or a 5xx with the same idempotency key (REST,
Open311) or the same one-time form token (public page) until it is acknowledged. Mid-load the gunicorn master
with its workers and the worker are killed with SIGKILL, then started again on the same port.

Then: every acknowledged submission exists exactly once (by its stored idempotency key and by its case number),
no retry made a second case, every case that exists was acknowledged, failed sign-ins written under the same
load are in the audit log and `jingzhi audit verify` passes, and the SLA sweep runs again (a SUCCESSFUL run
finished by the new worker process).

Only 127.0.0.1 is contacted; every process started here is killed in `finally`.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pytest

# SIGKILL, process groups and gunicorn: POSIX only.
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and gunicorn")

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("DATABASE_URL", "")
POSTGRES = URL.startswith("postgres")
HOST = "127.0.0.1"
DIVISION = "211200"

THREADS_PER_CHANNEL = 2
SUBMISSIONS_PER_THREAD = 25  # 3 channels × 2 threads × 25 = 150 submissions, plus the sign-in noise
KILL_AFTER_ACKNOWLEDGED = 50  # the kill comes once this many submissions are acknowledged
REQUEST_TIMEOUT = 10.0
# Seconds for the load and the restart together: every loop here is bounded, so the test ends even when the
# processes never come back. A run takes about 40 s on two busy cores (docs/operations.md, section 10).
BUDGET = 60.0

SETUP = r"""
import json
from jingzhi.bootstrap import setup_django
setup_django(None)
from jingzhi.api.services import apikey_create
from jingzhi.taxonomy.models import Category
from tests import factories as f
city = f.division("211200", "铁岭市", "city")
f.unit("SZX", "市民服务热线中心", city, kind="hotline")
service = Category.objects.create(name="冬季采暖", level=1)
key, secret = apikey_create(name="fault-test", actor=None, role="operator", rate="1000000/min")
print(json.dumps({"secret": secret, "key_id": key.pk, "user_id": key.user_id, "service": service.pk}))
"""

CHECK = r"""
import json
from jingzhi.bootstrap import setup_django
setup_django(None)
from django_tasks_db.models import DBTaskResult
from jingzhi.cases.models import Case
from jingzhi.core.models import AuditLog
sweeps = DBTaskResult.objects.filter(task_path="jingzhi.cases.tasks.run_sla_sweep")
print(json.dumps({
    "cases": list(Case.objects.values_list("idempotency_key", "number")),
    "sweeps": [[r.status, r.finished_at.isoformat() if r.finished_at else None, r.worker_ids] for r in sweeps],
    "login_failed": AuditLog.objects.filter(action="login_failed").count(),
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _pg_admin(sql: str) -> None:
    import psycopg

    server = urllib.parse.urlsplit(URL.replace("postgres://", "postgresql://", 1))._replace(path="/postgres")
    with psycopg.connect(urllib.parse.urlunsplit(server), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
def site_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a site of the test's own: its database, its data directory, loads the doors accept."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JINGZHI_DATA_DIR", "JINGZHI_MEDIA_ROOT")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "jingzhi.settings", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
        "JINGZHI_DATA_DIR": str(tmp_path / "data"), "JINGZHI_SECRET_KEY": uuid.uuid4().hex * 2,
        # The load comes from one address: lift the public doors' per-address limits and the CAPTCHA rule.
        "JINGZHI_RATE_PUBLIC_SUBMIT": "1000000/min", "JINGZHI_PUBLIC_SUBMIT_CAPTCHA_AFTER": "1000000",
        "JINGZHI_LOGIN_FAILURE_LIMIT": "1000000",
        # The sweep every 2 s, so that "it runs again after the restart" fits in the test's time.
        "JINGZHI_SLA_SWEEP_SECONDS": "2", "JINGZHI_LOG_LEVEL": "WARNING",
    })
    env.pop("JINGZHI_CACHE_URL", None)
    database = ""
    if POSTGRES:
        database = f"{urllib.parse.urlsplit(URL).path.lstrip('/')}_fault_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = urllib.parse.urlunsplit(urllib.parse.urlsplit(URL)._replace(path=f"/{database}"))
    try:
        yield env
    finally:
        if database:
            _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,  # noqa: S603
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass
class Processes:
    """`jingzhi serve` and `jingzhi worker`, each in its own session so a kill takes every process it forked."""

    env: dict[str, str]
    port: int
    logs: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    files: list[IO[bytes]] = field(default_factory=list)

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        self.files.append(log)
        proc = subprocess.Popen(  # noqa: S603 — our own command
            [sys.executable, "-m", "jingzhi", *args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(proc)
        return proc

    def start(self) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
        web = self._start("web", "serve", "--host", HOST, "--port", str(self.port), "--workers", "2", "--threads", "4")
        worker = self._start("worker", "worker")
        return web, worker

    def kill_all(self) -> None:
        """SIGKILL to every process group started here (the gunicorn master and its workers; the worker)."""
        for proc in self.running:
            # The whole group, even when its leader has already gone: gunicorn's workers may outlive the master.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)  # reaped: a killed worker's pid must really be gone
        self.running.clear()

    def close(self) -> None:
        self.kill_all()
        for f in self.files:
            f.close()

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in sorted(self.logs.glob("*.log")))


def _wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            status, _h, _b = _request(port, "GET", "/open311/v2/services.json")
            if status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError("the web server did not come up")


def _request(port: int, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


@dataclass
class Tally:
    """What the clients saw. `acked` maps the idempotency key as stored in the database to the case number."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    retried: int = 0
    replayed: int = 0  # retries answered with the first case (REST and Open311: 200 instead of 201)
    acked: dict[str, str] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    sign_in_failures: int = 0

    def count(self, *, retry: bool = False) -> None:
        with self.lock:
            self.sent += 1
            self.retried += int(retry)


def _cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for raw in headers.get_all("Set-Cookie") or []:
        name, _sep, rest = raw.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html) or re.search(rf'value="([^"]+)"[^>]*name="{name}"', html)
    assert match, f"no hidden field {name} in the form"
    return match.group(1)


class Client:
    """One client thread's way through a channel: send, and resend the same submission until acknowledged."""

    def __init__(self, port: int, tally: Tally, deadline: float, setup: dict[str, Any], run: str) -> None:
        self.port, self.tally, self.deadline, self.setup, self.run = port, tally, deadline, setup, run

    def until_acknowledged(self, attempt: Callable[[], tuple[str, str] | None], label: str) -> None:
        """`attempt` returns (stored key, number) when acknowledged, None to try again (no answer or 5xx)."""
        retry = False
        while time.monotonic() < self.deadline:
            self.tally.count(retry=retry)
            try:
                result = attempt()
            except (OSError, http.client.HTTPException):
                result = None
            if result is not None:
                with self.tally.lock:
                    assert result[0] not in self.tally.acked, f"{label}: one key acknowledged twice"
                    self.tally.acked[result[0]] = result[1]
                return
            retry = True
            time.sleep(0.3)
        with self.tally.lock:
            self.tally.failed.append(f"{label}: not acknowledged before the deadline")

    def _answer(self, label: str, status: int, body: bytes) -> None:
        if status < 500:
            with self.tally.lock:
                self.tally.failed.append(f"{label}: HTTP {status} {body[:300]!r}")
            raise _GiveUp

    def rest(self, c: int, n: int) -> None:
        raw = f"{self.run}-rest-{c}-{n}"
        body = json.dumps({"kind": "complaint", "title": "小区供暖温度不达标", "content": f"暖气只有十五度（{raw}）",
                           "division": DIVISION, "requester_phone": "13812345678"}, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {self.setup['secret']}", "Content-Type": "application/json",
                   "Idempotency-Key": raw}

        def attempt() -> tuple[str, str] | None:
            status, _h, data = _request(self.port, "POST", "/api/v1/cases/", body, headers)
            if status in (200, 201):
                if status == 200:
                    with self.tally.lock:
                        self.tally.replayed += 1
                return f"api:{self.setup['user_id']}:{raw}", str(json.loads(data)["number"])
            self._answer(raw, status, data)
            return None

        self.until_acknowledged(attempt, raw)

    def open311(self, c: int, n: int) -> None:
        raw = f"{self.run}-o311-{c}-{n}"
        body = urllib.parse.urlencode({
            "api_key": self.setup["secret"], "service_code": self.setup["service"], "address_id": DIVISION,
            "description": f"路灯不亮，晚上过路很危险（{raw}）", "phone": "13812345678",
        }).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": raw}
        stored = "open311:" + hashlib.sha256(f"{self.setup['key_id']}:{raw}".encode()).hexdigest()[:40]

        def attempt() -> tuple[str, str] | None:
            status, _h, data = _request(self.port, "POST", "/open311/v2/requests.json", body, headers)
            if status in (200, 201):
                if status == 200:
                    with self.tally.lock:
                        self.tally.replayed += 1
                return stored, str(json.loads(data)[0]["service_request_id"])
            self._answer(raw, status, data)
            return None

        self.until_acknowledged(attempt, raw)

    def _form(self, path: str, jar: dict[str, str]) -> str:
        """GET a form (again, while the server is down) and keep its cookies."""
        while time.monotonic() < self.deadline:
            self.tally.count()
            try:
                status, headers, data = _request(self.port, "GET", path, headers={"Cookie": _cookie_header(jar)})
            except (OSError, http.client.HTTPException):
                status, headers, data = 0, http.client.HTTPMessage(), b""
            if status == 200:
                _cookies(headers, jar)
                return data.decode()
            if 0 < status < 500:
                self._answer(path, status, data)
            time.sleep(0.3)
        with self.tally.lock:
            self.tally.failed.append(f"{path}: no form before the deadline")
        raise _GiveUp

    def public(self, c: int, n: int) -> None:
        label = f"{self.run}-web-{c}-{n}"
        jar: dict[str, str] = {}
        html = self._form("/public/submit/", jar)
        token = _hidden(html, "token")
        body = urllib.parse.urlencode({
            "csrfmiddlewaretoken": _hidden(html, "csrfmiddlewaretoken"), "token": token, "kind": "complaint",
            "division": DIVISION, "title": "噪音扰民", "content": f"楼下烧烤店营业到凌晨两点（{label}）",
            "requester_phone": "13812345678",
        }).encode()

        def attempt() -> tuple[str, str] | None:
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)}
            status, answer, data = _request(self.port, "POST", "/public/submit/", body, headers)
            if status == 302 and answer.get("Location", "").endswith("/public/submit/done/"):
                _cookies(answer, jar)
                # The number is shown on the next page only (it travels in the session, not in the URL).
                done = self._form("/public/submit/done/", jar)
                match = re.search(r'class="big-number">\s*([^<\s]+)\s*<', done)
                assert match, "no case number on the confirmation page"
                return f"web:{token}", match.group(1)
            self._answer(label, status, data)
            return None

        self.until_acknowledged(attempt, label)

    def sign_in_noise(self, stop: threading.Event) -> None:
        """Failed sign-ins: each writes an audit row through the chain's lock while the processes die."""
        jar: dict[str, str] = {}
        n = 0
        while not stop.is_set() and time.monotonic() < self.deadline:
            try:
                html = self._form("/login/", jar)
                body = urllib.parse.urlencode({"csrfmiddlewaretoken": _hidden(html, "csrfmiddlewaretoken"),
                                               "username": f"nobody{n % 7}", "password": "wrong-password-1"}).encode()
                self.tally.count()
                status, _h, _d = _request(self.port, "POST", "/login/", body, {
                    "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)})
            except (OSError, http.client.HTTPException, _GiveUp):
                time.sleep(0.3)
                continue
            n += 1
            if status == 200:  # the form again, with "wrong user name or password": the failure is recorded
                with self.tally.lock:
                    self.tally.sign_in_failures += 1
            time.sleep(0.2)


class _GiveUp(Exception):
    """A submission answered with a client error: recorded in the tally, not retried."""


def _channel_thread(client: Client, channel: str, c: int) -> None:
    submit = getattr(client, channel)
    for n in range(SUBMISSIONS_PER_THREAD):
        try:
            submit(c, n)
        except _GiveUp:
            continue
        except AssertionError as e:
            with client.tally.lock:
                client.tally.failed.append(f"{channel}-{c}-{n}: {e}")


def test_kill_web_and_worker_mid_load(site_env: dict[str, str], tmp_path: Path) -> None:
    started = time.monotonic()
    _run(site_env, "-m", "jingzhi", "migrate")
    migrated = time.monotonic() - started
    setup = json.loads(_run(site_env, "-c", SETUP).strip().splitlines()[-1])
    port = _free_port()
    procs = Processes(site_env, port, tmp_path)
    tally = Tally()
    stop_noise = threading.Event()
    try:
        procs.start()
        _wait_until_up(port, time.monotonic() + 40)
        deadline = time.monotonic() + BUDGET
        client = Client(port, tally, deadline, setup, uuid.uuid4().hex[:8])
        threads = [threading.Thread(target=_channel_thread, args=(client, channel, c), daemon=True)
                   for channel in ("rest", "open311", "public") for c in range(THREADS_PER_CHANNEL)]
        threads.append(threading.Thread(target=client.sign_in_noise, args=(stop_noise,), daemon=True))
        for t in threads:
            t.start()
        while len(tally.acked) < KILL_AFTER_ACKNOWLEDGED and time.monotonic() < deadline:
            time.sleep(0.05)
        acked_before_kill = len(tally.acked)
        killed = time.monotonic()
        procs.kill_all()
        time.sleep(1.0)
        restarted_at = datetime.now(UTC)
        _web, worker = procs.start()
        _wait_until_up(port, deadline)
        down = time.monotonic() - killed
        for t in threads[:-1]:
            t.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT)
        stop_noise.set()
        threads[-1].join(timeout=REQUEST_TIMEOUT * 2)
        # The sweep resumes: a run finished after the restart, by the new worker process.
        state: dict[str, Any] = {}
        sweep_deadline = time.monotonic() + 20
        while time.monotonic() < sweep_deadline:
            state = json.loads(_run(site_env, "-c", CHECK).strip().splitlines()[-1])
            resumed = [s for s in state["sweeps"] if s[0] == "SUCCESSFUL" and s[1]
                       and datetime.fromisoformat(s[1]) > restarted_at and s[2] and f"-{worker.pid}-" in s[2][-1]]
            if resumed:
                break
            time.sleep(1.0)
        else:
            pytest.fail(f"no SLA sweep finished after the restart: {state.get('sweeps')}\n{procs.log_tail()}")
    finally:
        stop_noise.set()
        procs.close()
    elapsed = time.monotonic() - started

    assert not tally.failed, "\n".join(tally.failed[:20]) + "\n" + procs.log_tail()
    assert 0 < acked_before_kill < len(tally.acked), "the kill did not come mid-load"
    assert len(tally.acked) == 3 * THREADS_PER_CHANNEL * SUBMISSIONS_PER_THREAD
    # Every acknowledged submission exists exactly once, under its key and with the number the client was given.
    keys = [k for k, _n in state["cases"] if k]
    assert len(keys) == len(state["cases"]), "a case without an idempotency key"
    assert len(keys) == len(set(keys)), "two cases share an idempotency key"
    numbers = [n for _k, n in state["cases"]]
    assert len(numbers) == len(set(numbers)), "two cases share a number"
    stored = dict(state["cases"])
    assert {k: stored.get(k) for k in tally.acked} == tally.acked
    # No retry made a second case: the cases are exactly the acknowledged submissions.
    assert len(state["cases"]) == len(tally.acked)
    # The audit chain survived the kill, with every failed sign-in that was answered in it.
    assert state["login_failed"] >= tally.sign_in_failures > 0
    verify = subprocess.run([sys.executable, "-m", "jingzhi", "audit", "verify"], env=site_env, cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, timeout=120, check=False)
    assert verify.returncode == 0 and verify.stdout.startswith("OK"), verify.stdout + verify.stderr
    print(json.dumps({  # the figures docs/operations.md quotes ("What a crash costs"); shown with pytest -s
        "database": "postgresql" if POSTGRES else "sqlite", "requests": tally.sent, "retried": tally.retried,
        "acknowledged": len(tally.acked), "acknowledged_before_kill": acked_before_kill, "replayed": tally.replayed,
        "duplicates": len(state["cases"]) - len(set(keys)), "cases": len(state["cases"]),
        "sign_in_failures": tally.sign_in_failures, "seconds": round(elapsed, 1), "migrate_seconds": round(migrated, 1),
        "down_seconds": round(down, 1),
    }))
