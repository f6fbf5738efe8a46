"""Scale benchmark: N cases with their events in PostgreSQL, then the pages leaders open, timed.

Generates (server-side, in SQL: scale_data.py) a city of 8 counties and 80 townships, 60 units, 50 categories and N
cases received over the 365 days before now, with their events and follow-ups, in realistic proportions: most old
cases closed, recent ones open in every state, ~5 % returned once, ~3 % reopened, ~4 % extended, 3 % emergencies,
1 % merged, intake dipping at weekends, a long tail of divisions and categories (Zipf-like). Then builds the daily
roll-ups for every day (set-based SQL, checked against metrics.rollup.compute_day on three days), and measures
through the real views (Django test client, signed in as the city leader): the leader dashboard, the unit ranking,
a filtered case list, a keyword (Chinese) search of the case list, one SLA sweep, and the roll-up of one day.

--open-cases M raises every case's chance of still being open by one factor (found by bisection on a sample) so
that about M cases are open: a province with a standing backlog. Their supervision levels are then settled to
what the sweep, running all along, would have set, so the measured sweep is the every-five-minutes one.

Prints one JSON line: cases, dashboard_p95_ms, ranking_p95_ms, list_p95_ms, search_p95_ms, sweep_seconds,
rollup_day_seconds (and p50s, the open cases, what each of two sweeps examined and escalated, the generation time).

Usage: DATABASE_URL=postgres://…/jingzhi_scale python benchmarks/scale.py --cases 100000 [--open-cases M] [--reuse]
It refuses a database that holds cases other than its own (numbers starting with SC). --reuse keeps the cases of
an earlier run with the same N and only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_data  # noqa: E402 — the benchmark's own SQL, next to this script

PREFIX = "SC"
REPEAT = 20


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[max(0, int(round(q * len(values))) - 1)], 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--reset-levels", type=int, default=0,
                        help="before the sweeps, put this many escalated open cases back to no level: a first sweep's cost")
    parser.add_argument("--open-cases", type=int, default=0,
                        help="make about this many cases open (a province's backlog), levels settled as the sweep would have")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database for the benchmark.", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    os.environ["JINGZHI_ALLOWED_HOSTS"] = "testserver,localhost"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from jingzhi.cases.models import Case

    call_command("migrate", verbosity=0)
    if Case.objects.exclude(number__startswith=PREFIX).exists():
        print("This database holds cases that are not benchmark cases; refusing to touch it.", file=sys.stderr)
        return 2
    generated_s = 0.0
    have = Case.objects.count()
    if not (args.reuse and have == args.cases):
        t0 = time.perf_counter()
        _generate(args.cases, args.seed, args.open_cases)
        generated_s = time.perf_counter() - t0
        print(f"generated {args.cases} cases in {generated_s:.0f}s", file=sys.stderr, flush=True)
        from django.utils import timezone

        today = timezone.localdate()
        _check_rollups([today - timedelta(days=1), today - timedelta(days=200), date(2026, 10, 8)])
    if args.generate_only:
        return 0
    result = _measure(args.cases, reset_levels=args.reset_levels)
    result["generate_seconds"] = round(generated_s, 1)
    print(json.dumps(result))
    return 0


def _org() -> dict[str, Any]:
    from jingzhi.org.models import Division, Unit, User
    from jingzhi.org.services import division_upsert, unit_upsert, user_upsert
    from jingzhi.taxonomy.models import Category

    if Division.objects.filter(code="219900").exists():
        city = Division.objects.get(code="219900")
    else:
        city = division_upsert(actor=None, code="219900", name="基准市", level="city", parent=None)
        for c in range(8):
            county = division_upsert(actor=None, code=f"2199{c + 1:02d}", name=f"基准县{c + 1}", level="county", parent=city)
            for t in range(10):
                division_upsert(actor=None, code=f"2199{c + 1:02d}{t + 1:03d}", name=f"基准县{c + 1}街道{t + 1}", level="township", parent=county)
        for u in range(52):
            unit_upsert(actor=None, code=f"SCU{u:03d}", name=f"基准市第{u + 1}局", division=city)
        for c in range(8):
            unit_upsert(actor=None, code=f"SCG{c:03d}", name=f"基准县{c + 1}人民政府", division=Division.objects.get(code=f"2199{c + 1:02d}"),
                        kind="county_government")
        for i in range(10):
            parent = Category.objects.create(name=f"大类{i + 1}", level=1)
            for j in range(5):
                Category.objects.create(name=f"小类{i + 1}-{j + 1}", level=2, parent=parent)
        user_upsert(actor=None, username="sc_leader", role="leader", unit=None, division=city, password="bench-pass-123", display_name="市领导")
        user_upsert(actor=None, username="sc_head", role="unit_head", unit=Unit.objects.get(code="SCU000"), division=None,
                    password="bench-pass-123", display_name="局长")
    towns = list(Division.objects.filter(level="township", path__startswith=city.path).values_list("pk", "parent_id"))
    counties = {d.pk: d for d in Division.objects.filter(parent=city)}
    county_unit = {u.division_id: u.pk for u in Unit.objects.filter(code__startswith="SCG")}
    return {
        "city": city,
        "towns": towns,
        "counties": counties,
        "county_unit": county_unit,
        "units": list(Unit.objects.filter(code__startswith="SCU").order_by("code").values_list("pk", flat=True)),
        "categories": list(Category.objects.filter(level=2).order_by("pk").values_list("pk", flat=True)),
        "leader": User.objects.get(username="sc_leader"),
        "head": User.objects.get(username="sc_head"),
    }


def _generate(n: int, seed: int, open_cases: int) -> None:
    """The city and its N cases, built by PostgreSQL itself (scale_data), then the roll-ups of every day."""
    from django.db import connection
    from django.utils import timezone

    from jingzhi.cases import sla
    from jingzhi.metrics import rollup
    from jingzhi.metrics.models import RollupState

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE cases_caseevent, cases_followup, cases_extensionrequest, cases_case_assisting_units, "
            "metrics_dailyrollup, metrics_dailyunitrollup, metrics_dailycategoryrollup, metrics_dailyintake, "
            "metrics_opensnapshot, metrics_rollupstate, core_notification, cases_case CASCADE"
        )
    org = _org()
    now = timezone.now()
    connection.ensure_connection()
    with connection.connection.cursor() as cur:
        # A crash during the load loses the load, which is simply run again: no need to wait for each flush.
        cur.execute("SET synchronous_commit TO off")
        scale = scale_data.open_scale_for(cur, org, n=n, open_cases=open_cases, now=now) if open_cases else 1.0
        if open_cases:
            scale_data.log(f"open-case factor {scale:.2f} for about {open_cases} open cases")
        with scale_data.bulk_load(cur):
            scale_data.generate(cur, org, n=n, now=now, seed=seed, open_scale=scale)
            for table in ("cases_case", "cases_caseevent", "cases_followup"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")  # noqa: S608 — fixed names
            cur.execute("SELECT min(created_at) FROM cases_case")
            first = timezone.localtime(cur.fetchone()[0]).date()
            with sla.frozen_policy():
                scale_data.build_rollups(
                    cur, calendar=sla.work_calendar(), coarse=rollup.coarse_divisions(), first=first,
                    last=timezone.localdate(now),
                )
        t0 = time.perf_counter()
        cur.execute("ANALYZE")
        scale_data.log(f"analyze: {time.perf_counter() - t0:.0f}s")
        cur.execute("SELECT coalesce(max(id), 0) FROM cases_caseevent")
        last_event = cur.fetchone()[0]
    state = RollupState.objects.order_by("pk").first() or RollupState.objects.create()
    state.last_event_id = last_event
    state.save()
    if open_cases:
        _settle_supervision(now)


def _settle_supervision(now: datetime) -> None:
    """Give every open case the level the sweep, running every five minutes, would already have given it.

    A province with a standing backlog has been swept all along; without this the first measured sweep would be
    the first one in the life of a million open cases. The levels come from the sweep's own evaluation
    (candidates, target_level); the escalation events and notifications of that past are not generated.
    """
    from django.db import connection

    from jingzhi.cases import sla
    from jingzhi.cases.sweep import candidates, load_policy, target_level

    t0 = time.perf_counter()
    ids: list[int] = []
    levels: list[int] = []
    with sla.frozen_policy():
        pol = load_policy()
        for batch in candidates(pol, now, batch_size=5000):
            for case in batch:
                level, _clock = target_level(case, now=now, policy=pol)
                if level > case.supervision:
                    ids.append(case.pk)
                    levels.append(level)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_case c SET supervision = u.level FROM unnest(%s::bigint[], %s::int[]) AS u(id, level) WHERE c.id = u.id",
            [ids, levels],
        )
        cur.execute("ANALYZE cases_case")
    scale_data.log(f"settled the supervision level of {len(ids)} open cases in {time.perf_counter() - t0:.0f}s")


def _check_rollups(days: list[date]) -> None:
    """The SQL-built roll-up rows of these days must be exactly what metrics.rollup.compute_day computes."""
    from jingzhi.cases import sla
    from jingzhi.metrics import rollup
    from jingzhi.metrics.models import DailyIntake, DailyRollup

    with sla.frozen_policy():
        for day in days:
            acc, intake = rollup.compute_day(day)
            want = {key: ({c: a.counts.get(c, 0) for c in rollup.COUNTERS}, sorted(a.ack_seconds), sorted(a.reply_seconds))
                    for key, a in acc.items()}
            got = {(r.division_id, r.unit_id, r.category_id): ({c: getattr(r, c) for c in rollup.COUNTERS}, r.ack_seconds, r.reply_seconds)
                   for r in DailyRollup.objects.filter(day=day)}
            got_intake = {(r.division_id, r.channel, r.kind): r.received for r in DailyIntake.objects.filter(day=day)}
            if want != got or dict(intake) != got_intake:
                wrong = [k for k in set(want) | set(got) if want.get(k) != got.get(k)][:3]
                raise SystemExit(f"roll-up of {day} differs from compute_day: {[(k, want.get(k), got.get(k)) for k in wrong]}")
            scale_data.log(f"roll-up of {day} matches compute_day ({len(got)} rows)")


def _timed(client: Any, url: str, repeat: int = REPEAT) -> tuple[float, float]:
    client.get(url)  # warm-up: templates compiled, translations loaded, as on a running server
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return p(times, 0.5), p(times, 0.95)


def _reset_levels(k: int) -> int:
    """Put k escalated open cases (the oldest ids) back to no level, so that the next sweep escalates them anew.

    Measures what a first sweep costs per escalation on a table of this size without waiting for an hour of
    escalations; the escalations it makes again are real ones (lock, event, notifications).
    """
    from django.db import connection

    from jingzhi.cases.models import OPEN_STATUSES

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_case SET supervision = 0 WHERE id IN (SELECT id FROM cases_case WHERE status = ANY(%s) "
            "AND supervision > 0 ORDER BY id LIMIT %s)",
            [sorted(OPEN_STATUSES), k],
        )
        return cur.rowcount


def _measure(n: int, *, reset_levels: int = 0) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from jingzhi.cases.models import OPEN_STATUSES, Case
    from jingzhi.cases.sweep import sla_sweep
    from jingzhi.metrics import rollup
    from jingzhi.metrics.models import DailyRollup, RollupState

    org = _org()
    today = timezone.localdate()
    if not DailyRollup.objects.exists():
        t0 = time.perf_counter()
        first = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
        rollup.rebuild(timezone.localtime(first).date(), today)
        last_event = connection.cursor()
        last_event.execute("SELECT coalesce(max(id), 0) FROM cases_caseevent")
        state = RollupState.objects.order_by("pk").first() or RollupState.objects.create()
        state.last_event_id = last_event.fetchone()[0]
        state.save()
        print(f"built roll-ups for every day in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    rollup.take_snapshot()
    day_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        rollup.rebuild(today - timedelta(days=1), today - timedelta(days=1))
        day_times.append(time.perf_counter() - t0)
    client = Client()
    client.force_login(org["leader"])
    county = next(iter(org["counties"].values()))
    dash = _timed(client, "/metrics/dashboard/")
    ranking = _timed(client, "/metrics/rankings/?period=month")
    listing = _timed(client, f"/cases/?status=open&division={county.code}&kind=complaint")
    # A keyword as a citizen's address and problem would be searched: about 1 % of the cases match.
    search = _timed(client, "/cases/?text=" + "清河区物业")
    open_cases = Case.objects.filter(status__in=sorted(OPEN_STATUSES)).count()
    reset = _reset_levels(reset_levels) if reset_levels else 0
    t0 = time.perf_counter()
    sweep = sla_sweep()
    sweep_s = time.perf_counter() - t0
    # Without --open-cases the generated supervision levels only approximate the calendar: the first sweep
    # escalates some cases. A second sweep is the steady state of a worker that runs every five minutes.
    t0 = time.perf_counter()
    again = sla_sweep()
    sweep_again_s = time.perf_counter() - t0
    return {
        "cases": n,
        "dashboard_p95_ms": dash[1], "ranking_p95_ms": ranking[1], "list_p95_ms": listing[1], "search_p95_ms": search[1],
        "sweep_seconds": round(sweep_s, 2), "rollup_day_seconds": round(statistics.median(day_times), 2),
        "dashboard_p50_ms": dash[0], "ranking_p50_ms": ranking[0], "list_p50_ms": listing[0], "search_p50_ms": search[0],
        "open_cases": open_cases, "sweep_examined": sweep.examined, "sweep_escalated": sweep.escalated,
        "sweep_again_seconds": round(sweep_again_s, 2), "sweep_again_examined": again.examined,
        "sweep_again_escalated": again.escalated, **({"levels_reset": reset} if reset_levels else {}),
    }


if __name__ == "__main__":
    raise SystemExit(main())
