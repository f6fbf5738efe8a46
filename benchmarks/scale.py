"""Scale benchmark: N cases with their events in PostgreSQL, then the pages leaders open, timed.

Generates (with COPY) a city of 8 counties and 80 townships, 60 units, 60 categories and N cases received over
the 365 days before now, with their events and follow-ups, in realistic proportions: most old cases closed,
recent ones open in every state, ~5 % returned once, ~3 % reopened, ~4 % extended, 3 % emergencies, a long tail of
divisions and categories (Zipf-like). Then builds the daily roll-ups for every day, and measures through the real
views (Django test client, signed in as the city leader): the leader dashboard, the unit ranking, a filtered case
list, a keyword (Chinese) search of the case list, one SLA sweep, and the roll-up of one day.

Prints one JSON line: cases, dashboard_p95_ms, ranking_p95_ms, list_p95_ms, search_p95_ms, sweep_seconds,
rollup_day_seconds (and p50s, the number of open cases the sweep examined, and the generation time).

Usage: DATABASE_URL=postgres://…/jingzhi_h5_scale python benchmarks/scale.py --cases 100000 [--reuse]
It refuses a database that holds cases other than its own (numbers starting with SC). --reuse keeps the cases of
an earlier run with the same N and only measures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

PREFIX = "SC"
REPEAT = 20
WORDS = ["供暖", "噪音扰民", "物业", "停水", "路灯", "占道经营", "拖欠工资", "不动产登记", "垃圾清运", "公交线路", "学区", "医保报销"]
PLACES = ["银州区", "清河区", "开原市", "西丰县", "昌图县", "调兵山市", "铁岭县", "新台子镇"]


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[max(0, int(round(q * len(values))) - 1)], 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--generate-only", action="store_true")
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
        _generate(args.cases, random.Random(args.seed))
        generated_s = time.perf_counter() - t0
        print(f"generated {args.cases} cases in {generated_s:.0f}s", file=sys.stderr, flush=True)
    if args.generate_only:
        return 0
    result = _measure(args.cases)
    result["generate_seconds"] = round(generated_s, 1)
    print(json.dumps(result))
    return 0


def _org() -> dict[str, Any]:
    from jingzhi.dispatch.models import Category
    from jingzhi.org.models import Division, Unit, User
    from jingzhi.org.services import division_upsert, unit_upsert, user_upsert

    if Division.objects.filter(code="219900").exists():
        city = Division.objects.get(code="219900")
    else:
        city = division_upsert(code="219900", name="基准市", level="city", parent=None)
        for c in range(8):
            county = division_upsert(code=f"2199{c + 1:02d}", name=f"基准县{c + 1}", level="county", parent=city)
            for t in range(10):
                division_upsert(code=f"2199{c + 1:02d}{t + 1:03d}", name=f"基准县{c + 1}街道{t + 1}", level="township", parent=county)
        for u in range(52):
            unit_upsert(code=f"SCU{u:03d}", name=f"基准市第{u + 1}局", division=city)
        for c in range(8):
            unit_upsert(code=f"SCG{c:03d}", name=f"基准县{c + 1}人民政府", division=Division.objects.get(code=f"2199{c + 1:02d}"),
                        kind="county_government")
        for i in range(10):
            parent = Category.objects.create(name=f"大类{i + 1}", level=1)
            for j in range(5):
                Category.objects.create(name=f"小类{i + 1}-{j + 1}", level=2, parent=parent)
        user_upsert(username="sc_leader", role="leader", unit=None, division=city, password="bench-pass-123", display_name="市领导")
        user_upsert(username="sc_head", role="unit_head", unit=Unit.objects.get(code="SCU000"), division=None,
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


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def _generate(n: int, rng: random.Random) -> None:
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE cases_caseevent, cases_followup, cases_extensionrequest, cases_case_assisting_units, "
            "metrics_dailyrollup, metrics_dailyintake, metrics_opensnapshot, metrics_rollupstate, "
            "core_notification, cases_case CASCADE"
        ) if _has_table("core_notification") else cur.execute(
            "TRUNCATE cases_caseevent, cases_followup, cases_extensionrequest, cases_case_assisting_units, "
            "metrics_dailyrollup, metrics_dailyintake, metrics_opensnapshot, metrics_rollupstate, cases_case CASCADE"
        )
    org = _org()
    _drop_trgm()
    now = timezone.now()
    start = now - timedelta(days=365)
    towns = org["towns"]
    town_w = _zipf_weights(len(towns), 0.8)
    cats = org["categories"]
    cat_w = _zipf_weights(len(cats), 1.0)
    units = org["units"]
    cat_unit = {c: units[i % len(units)] for i, c in enumerate(cats)}
    kinds = ["complaint", "help", "inquiry", "suggestion", "report", "praise", "enterprise", "dispute"]
    kind_w = [40, 20, 20, 8, 5, 2, 3, 2]
    channels = ["hotline", "web", "app", "window", "letter", "open311"]
    chan_w = [60, 15, 15, 5, 3, 2]
    h = timedelta(hours=1)
    cases = io.StringIO()
    events = io.StringIO()
    fus = io.StringIO()
    ev_id = 0
    fu_id = 0
    statuses_open = ["accepted", "dispatched", "handling", "replied", "followed_up"]

    def ts(d: datetime | None) -> str:
        return d.isoformat() if d else "\\N"

    def event(case_id: int, action: str, at: datetime, unit: int | None, frm: str, to: str) -> None:
        nonlocal ev_id
        ev_id += 1
        events.write(f"{ev_id}\t{case_id}\t{action}\t{unit if unit else chr(92) + 'N'}\t{frm}\t{to}\t\t{{}}\t{ts(at)}\n")

    for i in range(1, n + 1):
        # Intake grows slowly over the year and dips at weekends.
        while True:
            created = start + timedelta(seconds=rng.random() ** 0.9 * 365 * 86400)
            if created.weekday() < 5 or rng.random() < 0.6:
                break
        created = min(created, now - timedelta(minutes=1))
        town, county = towns[rng.choices(range(len(towns)), town_w)[0]]
        cat = cats[rng.choices(range(len(cats)), cat_w)[0]]
        unit = cat_unit[cat] if rng.random() < 0.75 else org["county_unit"][county]
        kind = rng.choices(kinds, kind_w)[0]
        channel = rng.choices(channels, chan_w)[0]
        pr = rng.random()
        priority = "emergency" if pr < 0.03 else "utilities" if pr < 0.13 else "normal"
        age_days = (now - created).total_seconds() / 86400
        # Old cases are almost all closed; the last few weeks hold the open ones.
        p_open = 0.9 if age_days < 2 else 0.5 if age_days < 10 else 0.15 if age_days < 30 else 0.01
        status = rng.choice(statuses_open) if rng.random() < p_open else "closed"
        if rng.random() < 0.01:
            status = "merged"
        dispatched = created + h * rng.uniform(0.2, 20)
        acked = dispatched + h * rng.uniform(0.1, 6)
        replied = acked + h * rng.uniform(4, 24 * 9)
        followed = replied + h * rng.uniform(2, 40)
        closed = followed + h * rng.uniform(0.5, 20)
        dispatch_due = created + h * (1 if priority == "emergency" else 24)
        ack_due = dispatched + h * (0.5 if priority == "emergency" else 4)
        reply_due = dispatched + h * (2 if priority == "emergency" else 24 * 7)
        extended = rng.random() < 0.04
        if extended:
            reply_due += h * 24 * 5
        reopened = rng.random() < 0.03
        returned = rng.random() < 0.05
        stage = {"accepted": 0, "dispatched": 1, "handling": 2, "replied": 3, "followed_up": 4, "closed": 5, "merged": 0}[status]
        times = [created, dispatched, acked, replied, followed, closed]
        if any(t > now for t in times[: stage + 1]):
            status, stage = "accepted", 0
        lead = unit if stage >= 1 else None
        supervision = 0
        if stage in (1, 2) and now > reply_due:
            supervision = 3 if now - reply_due > timedelta(days=7) else 2
        contacted = resolution = satisfaction = ""
        if stage >= 4:
            contacted = "t" if rng.random() < 0.95 else "f"
            if contacted == "t":
                resolution = rng.choices(["resolved", "partly", "unresolved"], [75, 15, 10])[0]
                satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], [70, 20, 10])[0]
        cases.write("\t".join([
            str(i), f"{PREFIX}{i:010d}", channel, kind, priority, status,
            f"{rng.choice(PLACES)}{rng.choice(WORDS)}问题 {i}",
            f"{rng.choice(PLACES)}{rng.choice(WORDS)}，{rng.choice(WORDS)}，请尽快处理。编号{i}",
            str(cat), "\\N", str(town), str(lead) if lead else "\\N", "市民", "138****0000", "", rng.choice(PLACES),
            ts(created), ts(dispatched if stage >= 1 else None), ts(acked if stage >= 2 else None),
            ts(replied if stage >= 3 else None), ts(followed if stage >= 4 else None), ts(closed if stage >= 5 else None),
            ts(now), ts(dispatch_due), ts(ack_due if stage >= 1 else None), ts(reply_due if stage >= 1 else None),
            ts(followed + h * 48 if stage == 3 else None), str(1 if extended and stage >= 2 else 0), str(supervision),
            str(1 if reopened and stage >= 4 else 0), str(1 if returned and stage >= 1 else 0),
            "已办理" if stage >= 3 else "", resolution, satisfaction,
            contacted if contacted else "\\N", str(stage + 1),
        ]) + "\n")
        event(i, "create", created, None, "", "accepted")
        if stage >= 1:
            if returned:
                event(i, "dispatch", created + (dispatched - created) / 3, None, "accepted", "dispatched")
                event(i, "return", created + (dispatched - created) / 2, org["county_unit"][county], "dispatched", "returned")
            event(i, "dispatch", dispatched, None, "accepted", "dispatched")
        if stage >= 2:
            event(i, "acknowledge", acked, unit, "dispatched", "handling")
            if extended:
                event(i, "approve_extension", acked + (replied - acked) / 2, None, "handling", "handling")
        if stage >= 3:
            event(i, "reply", replied, unit, "handling", "replied")
        if stage >= 4:
            event(i, "follow_up", followed, None, "replied", "followed_up")
            fu_id += 1
            fus.write(f"{fu_id}\t{i}\t{org['leader'].pk}\t{contacted}\t{resolution}\t{satisfaction}\t\t{unit}\t{ts(followed)}\n")
            if reopened and stage >= 5:
                event(i, "reopen", followed + h, None, "followed_up", "handling")
        if stage >= 5:
            event(i, "close", closed, None, "followed_up", "closed")
        if i % 200_000 == 0 or i == n:
            _flush(cases, events, fus)
            cases, events, fus = io.StringIO(), io.StringIO(), io.StringIO()
            print(f"  {i} cases written", file=sys.stderr, flush=True)
    print("  building the trigram indexes", file=sys.stderr, flush=True)
    _create_trgm()
    with connection.cursor() as cur:
        for table in ("cases_case", "cases_caseevent", "cases_followup"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")  # noqa: S608 — fixed names
        cur.execute("ANALYZE")


def _trgm_module() -> Any:
    import importlib

    return importlib.import_module("jingzhi.cases.migrations.0005_metrics_indexes")


def _drop_trgm() -> None:
    from django.db import connection

    with connection.schema_editor() as editor:
        _trgm_module().drop_trgm(None, editor)


def _create_trgm() -> None:
    from django.db import connection

    with connection.schema_editor() as editor:
        _trgm_module().create_trgm(None, editor)


def _has_table(name: str) -> bool:
    from django.db import connection

    return name in connection.introspection.table_names()


def _flush(cases: io.StringIO, events: io.StringIO, fus: io.StringIO) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cur:
        with cur.copy(
            "COPY cases_case (id, number, channel, kind, priority, status, title, content, category_id, enterprise_id, "
            "division_id, lead_unit_id, requester_name, requester_phone, requester_id_number, address, created_at, dispatched_at, acknowledged_at, replied_at, followed_up_at, closed_at, "
            "updated_at, dispatch_due, acknowledge_due, reply_due, follow_up_due, extensions_granted, supervision, "
            "reopen_count, return_count, reply, resolution, satisfaction, contacted, version) FROM STDIN"
        ) as copy:
            copy.write(cases.getvalue())
        with cur.copy(
            "COPY cases_caseevent (id, case_id, action, actor_unit_id, from_status, to_status, note, data, created_at) FROM STDIN"
        ) as copy:
            copy.write(events.getvalue())
        with cur.copy(
            "COPY cases_followup (id, case_id, actor_id, contacted, resolution, satisfaction, note, unit_id, created_at) FROM STDIN"
        ) as copy:
            copy.write(fus.getvalue())
    if not connection.in_atomic_block:
        raw.commit()


def _timed(client: Any, url: str, repeat: int = REPEAT) -> tuple[float, float]:
    client.get(url)  # warm-up: templates compiled, translations loaded, as on a running server
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return p(times, 0.5), p(times, 0.95)


def _measure(n: int) -> dict[str, Any]:
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
    t0 = time.perf_counter()
    sweep = sla_sweep()
    sweep_s = time.perf_counter() - t0
    # The generated supervision levels only approximate the calendar: the first sweep escalates some cases.
    # A second sweep is the steady state of a worker that runs every five minutes.
    t0 = time.perf_counter()
    sla_sweep()
    sweep_again_s = time.perf_counter() - t0
    return {
        "cases": n,
        "dashboard_p95_ms": dash[1], "ranking_p95_ms": ranking[1], "list_p95_ms": listing[1], "search_p95_ms": search[1],
        "sweep_seconds": round(sweep_s, 2), "rollup_day_seconds": round(statistics.median(day_times), 2),
        "dashboard_p50_ms": dash[0], "ranking_p50_ms": ranking[0], "list_p50_ms": listing[0], "search_p50_ms": search[0],
        "open_cases": open_cases, "sweep_escalated": sweep.escalated, "sweep_again_seconds": round(sweep_again_s, 2),
    }


if __name__ == "__main__":
    raise SystemExit(main())
