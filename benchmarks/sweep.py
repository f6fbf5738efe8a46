"""How long the SLA sweep takes over many open cases, the first time (a burst of escalations) and the second.

Creates N open cases (default 20,000) in the database given by DATABASE_URL, in a mix of statuses, kinds and
priorities, their clocks started over the 20 days before a fixed moment (2025-11-20 10:00, Asia/Shanghai),
with deadlines from the real calendar and rule book. Then runs the sweep twice at that moment and prints one
JSON line: cases, escalations and seconds of the burst (the first sweep), cpu_seconds (of this process only),
db_cpu_seconds (of the database's PostgreSQL server processes, both of the sweep's connections, from /proc), ms_per_escalation,
second_sweep_seconds (nothing left to do), and the detail of each sweep.

--path bulk (default) runs the set-based sweep (sla_sweep); --path per-case the case-by-case reference
(sweep_case_by_case, one transaction and one queued notification per escalation); --path both runs the
per-case sweep, puts the cases back as they were (levels, versions; events, notifications and queued
notifications removed) and runs the set-based one on the same cases, reporting both.

It refuses to run on a database that has cases other than its own (numbers starting with BENCH), and it
replaces its own cases of an earlier run.

Usage: DATABASE_URL=postgres://… python benchmarks/sweep.py [--cases N] [--batch-size 1000] [--path bulk|per-case|both] [--reuse] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PREFIX = "BENCH"
NOW = datetime(2025, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--path", choices=["bulk", "per-case", "both"], default="bulk")
    parser.add_argument("--seed", type=int, default=20251120)
    parser.add_argument("--reuse", action="store_true", help="keep the cases of an earlier run (put back unescalated)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first sweep (top functions to stderr)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to the database to benchmark (it must hold no real cases).", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jingzhi.cases.models import Case

    call_command("migrate", verbosity=0)
    if Case.objects.exclude(number__startswith=PREFIX).exists():
        print("This database holds cases that are not benchmark cases; refusing to touch it.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.reuse and Case.objects.filter(number__startswith=PREFIX).exists():
        _reset()
        with connection.cursor() as cursor:  # the reset's dead rows would otherwise weigh on the first sweep
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    else:
        _clear()
        org = _organisation()
        _create_cases(args.cases, org, random.Random(args.seed))
    created = time.perf_counter() - started

    from jingzhi.cases.sweep import sla_sweep, sweep_case_by_case

    out: dict[str, object] = {
        "cases": Case.objects.filter(number__startswith=PREFIX).count(), "create_seconds": round(created, 2),
        "database": connection.vendor, "batch_size": args.batch_size,
    }
    runs = {"bulk": [("bulk", sla_sweep)], "per-case": [("per_case", sweep_case_by_case)],
            "both": [("per_case", sweep_case_by_case), ("bulk", sla_sweep)]}[args.path]
    for n, (name, sweep) in enumerate(runs):
        if n:
            _reset()
        database_cpu = _DatabaseCpu().__enter__()
        cpu = time.process_time()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            first = profiler.runcall(sweep, now=NOW, batch_size=args.batch_size)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        else:
            first = sweep(now=NOW, batch_size=args.batch_size)
        cpu = time.process_time() - cpu
        database_cpu.__exit__()
        db_cpu = database_cpu.seconds
        second = sweep(now=NOW, batch_size=args.batch_size)
        out[name] = {
            "escalations": first.escalated, "seconds": first.seconds, "cpu_seconds": round(cpu, 2),
            "db_cpu_seconds": round(db_cpu, 2),
            "ms_per_escalation": round(1000 * first.seconds / max(1, first.escalated), 3),
            "second_sweep_seconds": second.seconds, "first": first.as_dict(), "second": second.as_dict(),
        }
    last = out[runs[-1][0]]
    assert isinstance(last, dict)
    out.update(escalations=last["escalations"], seconds=last["seconds"])
    print(json.dumps(out))
    return 0


class _DatabaseCpu:
    """CPU seconds used by this database's PostgreSQL server processes while the sweep runs, from /proc.

    The sweep writes through a second connection (sweep._apply_overlapped) that closes at its end, so each
    backend of the database (named in its command line) is sampled every 0.1 s and its last reading kept. On
    SQLite the database is this process: 0.
    """

    def __init__(self) -> None:
        from django.conf import settings
        from django.db import connection

        self.name = settings.DATABASES["default"]["NAME"] if connection.vendor == "postgresql" else ""
        self.seen: dict[int, tuple[float, float]] = {}  # pid: (first reading, last reading)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    words = f.read().replace(b"\0", b" ").decode(errors="replace").split()
                if not words or words[0] != "postgres:" or self.name not in words[1:5]:
                    continue
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            pid = int(entry)
            self.seen[pid] = (self.seen.get(pid, (cpu, cpu))[0], cpu)

    def _run(self) -> None:
        while not self.stop.wait(0.1):
            self._sample()

    def __enter__(self) -> _DatabaseCpu:
        if self.name:
            self._sample()
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.name:
            self.stop.set()
            self.thread.join()
            self._sample()

    @property
    def seconds(self) -> float:
        return sum(last - first for first, last in self.seen.values())


def _clear() -> None:
    """Remove what an earlier run left: its cases, their events and notifications, and queued notifications."""
    from django_tasks_db.models import DBTaskResult

    from jingzhi.cases.models import Case, CaseEvent
    from jingzhi.core.models import Notification

    bench = Case.objects.filter(number__startswith=PREFIX)
    Notification.objects.filter(subject_type="case", subject_ref__startswith=PREFIX).delete()
    CaseEvent.objects.filter(case__in=bench).delete()
    Case.assisting_units.through.objects.filter(case__in=bench).delete()
    bench.delete()
    DBTaskResult.objects.filter(task_path="jingzhi.core.tasks.deliver_notification").delete()


def _reset() -> None:
    """Put the benchmark's cases back as they were created: no escalation, no event, nothing notified."""
    from django_tasks_db.models import DBTaskResult

    from jingzhi.cases.models import Case, CaseEvent
    from jingzhi.core.models import Notification

    bench = Case.objects.filter(number__startswith=PREFIX)
    Notification.objects.filter(subject_type="case", subject_ref__startswith=PREFIX).delete()
    CaseEvent.objects.filter(case__in=bench).delete()
    DBTaskResult.objects.filter(task_path="jingzhi.core.tasks.deliver_notification").delete()
    bench.update(supervision=0, version=1)


def _organisation() -> dict[str, list]:
    """A city, two counties, ten units with two handlers and a head each, a 包保 leader and a supervisor."""
    from jingzhi.org.models import Role
    from jingzhi.org.services import division_upsert, responsibility_assign, unit_upsert, user_upsert

    city = division_upsert(actor=None, code="219900", name="基准市", level="city", parent=None)
    counties = [division_upsert(actor=None, code=f"2199{n:02d}", name=f"基准县{n}", level="county", parent=city) for n in (1, 2)]
    units = []
    for n in range(10):
        unit = unit_upsert(actor=None, code=f"BENCH{n}", name=f"基准单位{n}", division=city)
        units.append(unit)
        for role, count in ((Role.HANDLER, 2), (Role.UNIT_HEAD, 1)):
            for k in range(count):
                user_upsert(actor=None, username=f"bench_{role}_{n}_{k}", role=role, unit=unit, division=None,
                            display_name=f"基准{n}{k}")
    leader = user_upsert(actor=None, username="bench_leader", role=Role.LEADER, unit=None, division=city,
                         display_name="基准领导")
    user_upsert(actor=None, username="bench_supervisor", role=Role.SUPERVISOR, unit=None, division=city,
                display_name="基准督办")
    responsibility_assign(actor=None, official=leader, division=city)
    return {"divisions": [city, *counties], "units": units}


def _create_cases(n: int, org: dict[str, list], rng: random.Random) -> None:
    """N open cases. bulk_create, not case_create: fine in a benchmark (the sweep is what is measured), never
    in the product, where every case comes through intake. Deadlines still come from the real rule book."""
    from jingzhi.cases import sla
    from jingzhi.cases.models import Case, Kind, Priority, Status

    cal, rules = sla.work_calendar(), sla.RuleBook()
    statuses = [Status.ACCEPTED] * 10 + [Status.DISPATCHED] * 10 + [Status.HANDLING] * 55 + [Status.SUSPENDED] * 10 + \
        [Status.REPLIED] * 15
    kinds = [Kind.COMPLAINT, Kind.HELP, Kind.INQUIRY, Kind.SUGGESTION]
    priorities = [Priority.NORMAL] * 18 + [Priority.UTILITIES, Priority.EMERGENCY]
    batch: list[Case] = []
    for i in range(n):
        status, kind, priority = rng.choice(statuses), rng.choice(kinds), rng.choice(priorities)
        created = NOW - timedelta(seconds=rng.uniform(0, 20 * 86400))
        if priority == Priority.EMERGENCY:
            created = NOW - timedelta(seconds=rng.uniform(0, 4 * 3600))

        def due(clock: str, start: datetime) -> datetime:
            return rules.limit(clock, kind=kind, priority=priority).apply(cal, start)  # noqa: B023

        case = Case(
            number=f"{PREFIX}{i:010d}", channel="hotline", kind=kind, priority=priority, status=status,
            title=f"基准诉求 {i}", content="小区供暖温度不达标，请尽快处理。", division=rng.choice(org["divisions"]),
            created_at=created, dispatch_due=due("dispatch", created),
        )
        if status != Status.ACCEPTED:
            dispatched = created + timedelta(minutes=rng.uniform(5, 60))
            case.lead_unit = rng.choice(org["units"])
            case.dispatched_at = dispatched
            case.acknowledge_due = due("acknowledge", dispatched)
            case.reply_due = due("reply", dispatched)
            if status != Status.DISPATCHED:
                case.acknowledged_at = dispatched + timedelta(minutes=20)
            if status == Status.SUSPENDED:
                case.paused_at = dispatched + timedelta(hours=1)
            if status == Status.REPLIED:
                replied = min(NOW, dispatched + timedelta(hours=rng.uniform(1, 100)))
                case.replied_at = replied
                case.follow_up_due = due("follow_up", replied)
        batch.append(case)
        if len(batch) == 2000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


if __name__ == "__main__":
    raise SystemExit(main())
