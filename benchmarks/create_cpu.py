"""The server's CPU per REST create, measured in one process (issue 12): robust to a loaded machine.

The load benchmark (benchmarks/intake_load.py) measures creates per second against a running server; on a
shared machine its rate moves with the load. This one counts what the server's Python spends on one create:
it calls the WSGI application itself (as gunicorn does, without the network and the server's own parsing) with
POST /api/v1/cases/, an integration key of the operator role, Accept-Language: zh-hans, a fresh Idempotency-Key
and one of the load benchmark's real messages, N times, and divides the process's CPU time (time.process_time:
this process only, whatever else the machine runs) by N. Production settings (jingzhi.settings: the database
cache for the rate limits unless JINGZHI_CACHE_URL says Redis, the database task queue, persistent connections).

The database named by --database-url (PostgreSQL on 127.0.0.1) is migrated, and a small demo city loaded if
none is there (--demo-cases, default 100). Every create must answer 201.

Prints one JSON line: cpu_ms_per_create (CPU of this process, median of --rounds rounds of N creates),
min_cpu_ms_per_create (the least disturbed round), rounds_cpu_ms (each round's), wall_ms_per_create,
statements_per_create (Django's cursor statements, BEGIN/COMMIT not included; counted on a separate pass, so the
counting costs the timed rounds nothing), creates, load_average. --profile adds the top functions by own CPU time
(cProfile with a CPU timer, one more pass) to the line as profile_top and writes the full table to stderr
(CREATE_CPU_PROFILE_OUT=file also dumps it for pstats); --sql writes one create's statements to stderr.

To compare with an earlier commit, run this same script against that commit's sources: e.g.
`git archive <commit> | tar -x -C /tmp/base && cp benchmarks/create_cpu.py /tmp/base/benchmarks/` and run
/tmp/base/benchmarks/create_cpu.py (it puts its own src/ first on the path), alternating with this one.

Usage:
  python benchmarks/create_cpu.py --database-url postgres://postgres@127.0.0.1:5432/intake3_bench
  python benchmarks/create_cpu.py --creates 500 --rounds 3 --profile
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    os.environ.setdefault("JINGZHI_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "jingzhi-create-cpu"))
    # The rate of one key is lifted as in the load benchmark: the throttle still counts every request.
    os.environ["JINGZHI_API_RATE_KEY"] = "1000000/min"
    sys.path.insert(0, str(SRC))
    sys.path.insert(0, str(HERE))
    import django

    django.setup()


def _prepare(cases: int) -> None:
    from intake_load import (
        _prepare as prepare,  # the load benchmark's own: migrate, and the demo city if missing
    )

    prepare(cases)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/intake3_bench"))
    parser.add_argument("--demo-cases", type=int, default=100)
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="write the statements of one create to stderr")
    args = parser.parse_args()
    if urlsplit(args.database_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("benchmark databases live on 127.0.0.1")
    _setup(args.database_url)
    _prepare(args.demo_cases)

    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from intake_load import MESSAGES

    from jingzhi.api.services import apikey_create
    from jingzhi.org.models import Division

    application = get_wsgi_application()
    run_id = uuid.uuid4().hex[:10]
    _key, secret = apikey_create(name=f"cpu-{run_id}", actor=None, role="operator")
    divisions = list(Division.objects.filter(level="county").order_by("code").values_list("code", flat=True))
    counter = [0]

    def create() -> None:
        n = counter[0] = counter[0] + 1
        title, content = MESSAGES[n % len(MESSAGES)]
        body = json.dumps({"kind": "complaint", "title": title, "content": f"{content}（{run_id}-{n}）",
                           "division": divisions[n % len(divisions)], "requester_phone": "13812345678"},
                          ensure_ascii=False).encode()
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/cases/", "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "zh-hans",
            "HTTP_IDEMPOTENCY_KEY": f"cpu-{run_id}-{n}", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        response = application(environ, lambda s, h, e=None: status.append(s))
        try:
            b"".join(response)
        finally:
            response.close()
        if not status[0].startswith("201"):
            raise SystemExit(f"create {n} answered {status[0]}")

    def rounds(n: int, call: Callable[[], None]) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            call()
        return (time.process_time() - cpu) * 1000 / n, (time.perf_counter() - wall) * 1000 / n

    for _ in range(args.warmup):
        create()
    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        if args.sql and statements[0] <= per_create[0]:
            print(sql[:300], file=sys.stderr)
        return execute(sql, params, many, context)

    counted = 20
    per_create = [10**6]
    if args.sql:  # the first create of the pass, then the count goes on
        with connection.execute_wrapper(count):
            create()
        per_create[0], statements[0] = 0, 0
    with connection.execute_wrapper(count):
        for _ in range(counted):
            create()
    measured = [rounds(args.creates, create) for _ in range(args.rounds)]
    result: dict[str, Any] = {
        "cpu_ms_per_create": round(statistics.median(c for c, _w in measured), 2),
        # The least disturbed round: on a shared machine other work inflates a round's CPU (caches, migrations).
        "min_cpu_ms_per_create": round(min(c for c, _w in measured), 2),
        "rounds_cpu_ms": [round(c, 2) for c, _w in measured],
        "wall_ms_per_create": round(statistics.median(w for _c, w in measured), 2),
        # BEGIN and COMMIT are not statements Django executes through a cursor, so they are not in this count.
        "statements_per_create": round(statements[0] / counted, 2),
        "creates": args.creates * args.rounds,
        "load_average": round(os.getloadavg()[0], 2),
    }
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU, not the waits for the database
        profiler.enable()
        for _ in range(args.creates):
            create()
        profiler.disable()
        if os.environ.get("CREATE_CPU_PROFILE_OUT"):  # the raw table, for pstats
            profiler.dump_stats(os.environ["CREATE_CPU_PROFILE_OUT"])
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(80)
        top = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:15]  # type: ignore[attr-defined]
        result["profile_top"] = [
            {"function": f"{Path(f).name}:{line}:{name}", "own_ms_per_create": round(tt * 1000 / args.creates, 3)}
            for (f, line, name), (_cc, _nc, tt, _ct, _callers) in top
        ]
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
