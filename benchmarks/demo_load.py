"""How long `jingzhi demo` takes to build the Tieling demo city on a fresh SQLite file.

Prints one JSON line: migrate_seconds, load_seconds, cases, events, queries_per_case, the seconds of each step
after the cases (steps; their ratio to the seconds per case gives the progress bar's weights in demo/loader.py),
the CPU seconds of the whole build (cpu_seconds: this process and the demo's second process, which fits the
classifier while the cases are played) and the load average before and after (the machine is shared).
Usage: python -P benchmarks/demo_load.py [--cases N] [--no-count] (--no-count: without the statement counter, whose
own cost is in the other figures otherwise)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    """User + system CPU seconds of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--no-count", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("DATABASE_URL", None)
        os.environ["JINGZHI_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from jingzhi.cases.models import Case, CaseEvent
        from jingzhi.demo.loader import load_demo

        load_before = os.getloadavg()
        cpu_started = _cpu()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        count = [0]

        def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            count[0] += 1
            return execute(sql, params, many, context)

        if args.no_count:
            summary = load_demo(password="Benchmark-only1", cases=args.cases)
        else:
            with connection.execute_wrapper(counting):
                summary = load_demo(password="Benchmark-only1", cases=args.cases)
        loaded = time.perf_counter()
        cpu = _cpu() - cpu_started
        cases = Case.objects.count()
        print(json.dumps({
            "cases": cases,
            "events": CaseEvent.objects.count(),
            "migrate_seconds": round(migrated - started, 2),
            "load_seconds": round(loaded - migrated, 2),
            "queries_per_case": round(count[0] / max(cases, 1), 1) if not args.no_count else None,
            "cpu_seconds": round(cpu, 2),
            "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
            "cases_seconds": round(summary.seconds - sum(summary.steps.values()), 2),
            "steps": {label: round(seconds, 2) for label, seconds in summary.steps.items()},
        }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
