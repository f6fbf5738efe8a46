"""Case creation under load through the REST API, with the production server, on PostgreSQL.

Starts `jingzhi serve` (gunicorn with --workers/--threads, or --server waitress: the one-process server of
before) on 127.0.0.1 against the database given by --database-url, which must hold the demo city (--prepare
migrates it and loads the demo if it is not there). N clients (default 20), each with one keep-alive
connection, POST a new real message to /api/v1/cases/ in a loop for S seconds (default 20) with an
integration key of the operator role and a fresh Idempotency-Key per request. The API's per-key throttle is
lifted for the run (JINGZHI_API_RATE_KEY): this measures the work of a create, not the rate limit.

Prints one JSON line: jingzhi_rps (acknowledged creates per second), p50_ms, p95_ms (of every request),
errors (non-201 answers and failed connections), acknowledged (201 answers), created (cases of this run found
in the database afterwards, by their idempotency keys), and peer_rps / ratio. It also prints the CPU one create
costs: server_cpu_ms_per_create (the server's processes, from /proc) and db_cpu_ms_per_create (the PostgreSQL
backends serving the database): on a shared machine the rates move with its load, these much less.

Peer: with --peer URL the same clients alternate runs against another system's ticket-create endpoint (Jingzhi,
peer, Jingzhi, … --runs times each; the figures are the medians over runs). The adapter is deliberately
simple: it POSTs JSON {"title", "description", "queue", "priority", "submitter_email"} (django-helpdesk's ticket API;
--peer-queue sets the queue id) with the header given by --peer-auth (e.g. "Basic dXNlcjpwYXNz"), and counts
any 2xx as a success. Without --peer, peer_rps and ratio are null.

Loops are bounded by time and run on 127.0.0.1 only.

Usage:
  python benchmarks/intake_load.py --prepare --database-url postgres://postgres@127.0.0.1:5432/jz_bench
  python benchmarks/intake_load.py --server gunicorn --workers 2 --threads 4
  python benchmarks/intake_load.py --server waitress --threads 16
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SRC = Path(__file__).resolve().parents[1] / "src"
MESSAGES = [
    ("小区供暖温度不达标", "家里暖气只有十五度，老人孩子受不了，已经反映多次，请尽快处理。"),
    ("路灯不亮", "银州区柴河街与南马路交叉口的路灯坏了一个星期，晚上过路很危险。"),
    ("噪音扰民", "楼下烧烤店每天营业到凌晨两点，油烟和噪音很大，影响休息。"),
    ("自来水发黄", "今天早上开始自来水发黄有异味，不敢饮用，请水务部门查看。"),
    ("道路积水", "凡河新区一号路下雨后积水很深，车辆无法通行，希望疏通排水。"),
    ("拖欠工资", "在工地干了三个月，包工头拖欠工资一万二千元，多次讨要无果。"),
    ("垃圾清运不及时", "小区垃圾箱满了三天没人清运，气味很大，招来很多苍蝇。"),
    ("公交车改线", "咨询12路公交车为什么改线，老年人去医院很不方便。"),
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acknowledged: int = 0
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client(host: str, port: int, path: str, headers: dict[str, str], body_for: Any, until: float, tally: Tally,
            ok: Any) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    n = 0
    while time.monotonic() < until:
        body, extra = body_for(n)
        n += 1
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers={**headers, **extra})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        with tally.lock:
            tally.latencies.append(elapsed)
            if ok(status):
                tally.acknowledged += 1
            else:
                tally.errors += 1
    conn.close()


def _load(host: str, port: int, path: str, headers: dict[str, str], body_for: Any, *, clients: int, seconds: float,
          ok: Any) -> dict[str, Any]:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(host, port, path, headers, (lambda n, c=c: body_for(c, n)), until, tally, ok))
        for c in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    wall = time.perf_counter() - started
    lat = sorted(tally.latencies) or [0.0]
    return {
        "rps": round(tally.acknowledged / wall, 1), "p50_ms": round(statistics.median(lat), 1),
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1), "errors": tally.errors, "acknowledged": tally.acknowledged,
    }


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _tree(pid: int) -> list[int]:
    """A process and its descendants (the server and its workers)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _cpu_sample(server_pid: int) -> dict[str, float]:
    """CPU used so far by the server's processes and by the PostgreSQL backends serving this database.

    The machine may be shared: wall-clock rates move with its load, CPU per create much less, so both are printed.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        backends = [row[0] for row in cursor.fetchall()]
    return {"server": sum(_proc_cpu(p) for p in _tree(server_pid)),
            **{f"pg{pid}": _proc_cpu(pid) for pid in backends}}


def _cpu_ms_per_create(before: dict[str, float], after: dict[str, float], creates: int) -> dict[str, float | None]:
    if not creates:
        return {"server_cpu_ms_per_create": None, "db_cpu_ms_per_create": None}
    server = after["server"] - before["server"]
    # A backend that connected during the run started from zero; one that left took its CPU with it (not counted).
    db = sum(v - before.get(k, 0.0) for k, v in after.items() if k != "server")
    return {"server_cpu_ms_per_create": round(server * 1000 / creates, 2), "db_cpu_ms_per_create": round(db * 1000 / creates, 2)}


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def _prepare(cases: int) -> None:
    from django.core.management import call_command

    from jingzhi.demo.loader import demo_is_loaded, load_demo

    call_command("migrate", verbosity=0)
    if not demo_is_loaded():
        print(f"loading the demo city ({cases} cases)…", file=sys.stderr, flush=True)
        load_demo(password="Benchmark-only1", cases=cases)


def _start_server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": args.database_url, "JINGZHI_API_RATE_KEY": "1000000/min",
           "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "jingzhi.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--threads", str(args.threads)]
    if args.server == "waitress":
        command += ["--server", "waitress"]
    else:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/open311/v2/services.json")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jz_bench"))
    parser.add_argument("--prepare", action="store_true", help="migrate and load the demo city if needed, then exit")
    parser.add_argument("--demo-cases", type=int, default=3000)
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--peer", help="the peer's ticket-create URL on 127.0.0.1, e.g. http://127.0.0.1:8100/api/tickets/")
    parser.add_argument("--peer-auth", default="", help="Authorization header for the peer")
    parser.add_argument("--peer-queue", type=int, default=1)
    args = parser.parse_args()
    if urlsplit(args.database_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("benchmark databases live on 127.0.0.1")
    _setup_django(args.database_url)
    if args.prepare:
        _prepare(args.demo_cases)
        return 0
    from jingzhi.api.services import apikey_create
    from jingzhi.cases.models import Case
    from jingzhi.demo.loader import demo_is_loaded
    from jingzhi.org.models import Division

    if not demo_is_loaded():
        raise SystemExit("load the demo city first: --prepare")
    run_id = uuid.uuid4().hex[:10]
    _key, secret = apikey_create(name=f"load-{run_id}", actor=None, role="operator")
    divisions = list(Division.objects.filter(level="county").order_by("code").values_list("code", flat=True))

    current = {"run": "w"}  # each run's keys are its own: a key repeated from an earlier run is a replay (200), not a create

    def jingzhi_body(client: int, n: int) -> tuple[bytes, dict[str, str]]:
        title, content = MESSAGES[(client + n) % len(MESSAGES)]
        body = {"kind": "complaint", "title": title, "content": f"{content}（{current['run']}-{client}-{n}）",
                "division": divisions[(client * 7 + n) % len(divisions)], "requester_phone": "13812345678"}
        return json.dumps(body, ensure_ascii=False).encode(), {"Idempotency-Key": f"load-{run_id}-r{current['run']}-{client}-{n}"}

    def peer_body(client: int, n: int) -> tuple[bytes, dict[str, str]]:
        title, content = MESSAGES[(client + n) % len(MESSAGES)]
        # django-helpdesk 2.6.1's ticket API requires a priority (3 = normal).
        body = {"title": title, "description": f"{content}（{client}-{n}）", "queue": args.peer_queue, "priority": 3,
                "submitter_email": f"load{client}@example.org"}
        return json.dumps(body, ensure_ascii=False).encode(), {}

    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Accept-Language": "zh-hans"}
    port = _free_port()
    server = _start_server(args, port)
    runs: list[dict[str, Any]] = []
    peer_runs: list[dict[str, Any]] = []
    try:
        # Warm-up: every worker imports, connects and loads its caches before the clock starts.
        _load("127.0.0.1", port, "/api/v1/cases/", headers, lambda c, n: jingzhi_body(1000 + c, n), clients=4, seconds=3,
              ok=lambda s: s == 201)
        for number in range(args.runs):
            current["run"] = str(number)
            before = _cpu_sample(server.pid)
            run = _load("127.0.0.1", port, "/api/v1/cases/", headers, jingzhi_body, clients=args.clients,
                        seconds=args.seconds, ok=lambda s: s == 201)
            run.update(_cpu_ms_per_create(before, _cpu_sample(server.pid), run["acknowledged"]))
            run["load_average"] = round(os.getloadavg()[0], 2)
            runs.append(run)
            if args.peer:
                peer = urlsplit(args.peer)
                if peer.hostname not in ("127.0.0.1", "localhost"):
                    raise SystemExit("the peer must run on 127.0.0.1")
                peer_headers = {"Content-Type": "application/json", **({"Authorization": args.peer_auth} if args.peer_auth else {})}
                peer_runs.append(_load(peer.hostname or "127.0.0.1", peer.port or 80, peer.path or "/", peer_headers,
                                       peer_body, clients=args.clients, seconds=args.seconds, ok=lambda s: 200 <= s < 300))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
    # The runs' keys only (the warm-up's clients are numbered from 1000).
    created = sum(
        1 for key in Case.objects.filter(idempotency_key__contains=f"load-{run_id}-").values_list("idempotency_key", flat=True)
        if int(key.rsplit("-", 2)[-2]) < 1000
    )

    def med(rows: list[dict[str, Any]], name: str) -> float:
        return round(statistics.median(r[name] for r in rows), 1)

    jingzhi_rps = med(runs, "rps")
    peer_rps = med(peer_runs, "rps") if peer_runs else None
    print(json.dumps({
        "server": args.server, "workers": args.workers if args.server == "gunicorn" else 1, "threads": args.threads,
        "clients": args.clients, "seconds": args.seconds,
        "jingzhi_rps": jingzhi_rps, "peer_rps": peer_rps,
        "ratio": round(jingzhi_rps / peer_rps, 2) if peer_rps else None,
        "p50_ms": med(runs, "p50_ms"), "p95_ms": med(runs, "p95_ms"),
        "server_cpu_ms_per_create": med(runs, "server_cpu_ms_per_create"),
        "db_cpu_ms_per_create": med(runs, "db_cpu_ms_per_create"),
        "errors": sum(r["errors"] for r in runs), "acknowledged": sum(r["acknowledged"] for r in runs), "created": created,
        "runs": runs, "peer_runs": peer_runs,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
