"""The dispute register at a city's scale: what the case-created hook and the register pages cost.

Creates N disputes (default 50,000, two parties each, a third of them open) for 20 police stations in the
database given by DATABASE_URL (it must hold no other disputes), then measures:

- `hook_ms_p95`: finding the open disputes of a new case's requester (phone, ID number, address) — what
  `dispute_flag_case` adds to every intake — over 1,000 look-ups, half of them hits;
- `register_ms_p95`: the register's first page (50 rows) for a station officer, 200 times;
- `figures_ms`: the figures by station and type for the city's 政法委 over a year (one query), median of 5.

Prints one JSON line. Usage: DATABASE_URL=postgres://… python benchmarks/disputes.py [--disputes N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

PREFIX = "BENCH"


def _p95(values: list[float]) -> float:
    return round(sorted(values)[int(len(values) * 0.95) - 1] * 1000, 2)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--disputes", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to the database to benchmark (it must hold no real disputes).", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from jingzhi.disputes import figures, keys, selectors
    from jingzhi.disputes.models import Dispute, Party, Status
    from jingzhi.disputes.services.linking import open_disputes_of
    from jingzhi.org.models import Unit
    from jingzhi.org.services import division_upsert, unit_upsert, user_upsert

    call_command("migrate", verbosity=0)
    if Dispute.objects.exclude(number__startswith=PREFIX).exists():
        print("This database holds disputes that are not benchmark disputes; refusing to touch it.", file=sys.stderr)
        return 2
    Party.objects.filter(dispute__number__startswith=PREFIX).delete()
    Dispute.objects.filter(number__startswith=PREFIX).delete()
    rng = random.Random(args.seed)
    city = division_upsert(actor=None, code="219900", name="基准市", level="city", parent=None)
    counties = [division_upsert(actor=None, code=f"2199{i:02d}", name=f"基准县{i}", level="county", parent=city)
                for i in range(1, 21)]
    stations = [unit_upsert(actor=None, code=f"BPCS{i}", name=f"基准派出所{i}", division=c, kind=Unit.Kind.POLICE_STATION)
                for i, c in enumerate(counties)]
    committee = unit_upsert(actor=None, code="BZFW", name="基准政法委", division=city, kind=Unit.Kind.POLITICAL_LEGAL)
    officer = user_upsert(actor=None, username="bench_officer", role="handler", unit=stations[0], division=counties[0])
    zfw = user_upsert(actor=None, username="bench_zfw", role="handler", unit=committee, division=city)
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Dispute] = []
    for n in range(args.disputes):
        station = stations[n % len(stations)]
        resolved = n % 3 != 0
        screened = now - timedelta(days=rng.uniform(0, 365))
        batch.append(Dispute(number=f"{PREFIX}-{n:07d}", type=rng.choice(["family", "neighbour", "medical", "labour"]),
                             summary="基准纠纷", division=station.division, place=f"基准路{n}号", place_key=keys.address_key(f"基准路{n}号"),
                             risk=rng.choice([1, 1, 2, 3]), source="screening", station=station, screened_at=screened,
                             status=Status.RESOLVED if resolved else Status.OPEN,
                             resolved_at=screened + timedelta(days=3) if resolved else None,
                             sessions_to_resolve=rng.choice([1, 1, 2]) if resolved else None))
    Dispute.objects.bulk_create(batch, batch_size=2000)
    ids = list(Dispute.objects.filter(number__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    parties = []
    for n, pk in enumerate(ids):
        for side in (0, 1):
            phone = f"13{side}{n:08d}"
            parties.append(Party(dispute_id=pk, name="基准", phone=phone, phone_key=keys.phone_key(phone)))
    Party.objects.bulk_create(parties, batch_size=5000)
    created = time.perf_counter() - started

    hook = []
    for i in range(1000):
        n = rng.randrange(args.disputes) if i % 2 else args.disputes + i  # half hits, half misses
        t = time.perf_counter()
        open_disputes_of(phone=f"130{n:08d}", id_number="", address=f"基准路{n}号")
        hook.append(time.perf_counter() - t)
    register = []
    for _ in range(200):
        t = time.perf_counter()
        list(selectors.register(officer, {"status": "any"})[:50])
        register.append(time.perf_counter() - t)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        rows = figures.station_figures(zfw, start=(now - timedelta(days=365)).date(), end=now.date())
        runs.append(time.perf_counter() - t)
    assert sum(r.total.screened for r in rows) >= args.disputes * 0.99
    print(json.dumps({"benchmark": "disputes", "disputes": args.disputes, "parties": len(parties),
                      "create_seconds": round(created, 2), "hook_ms_p95": _p95(hook),
                      "register_ms_p95": _p95(register), "figures_ms": round(statistics.median(runs) * 1000, 1),
                      "database": django.db.connection.vendor}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
