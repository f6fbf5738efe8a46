"""Supply ↔ demand suggestions at scale: L listings (default 50,000), half needs, half capabilities.

Fills the database given by DATABASE_URL (it must hold no listings) with generated listings of the region's trades
(supplydemand/generate.py: rubber seals, belts and hoses, corn, steel, valves, wire harnesses…) spread over the
registry's enterprises (2,000 generated ones when the registry is empty), written in bulk with their term rows.
Then times `suggest.suggestions_for` (the candidate query on the term table, the scoring of the candidates and the
reasons) for R random listings of both kinds, after one warm-up call.

Prints one JSON line: supply_demand_p95_ms, supply_demand_p50_ms, listings, term_rows, runs, cpu_seconds (of the
timed calls), load_average, build_seconds. `measure()` is importable, so benchmarks/matching.py can report the figure.

Usage: DATABASE_URL=postgres://…/jz_bench python benchmarks/supply_demand.py [--listings L] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def measure(*, listings: int = 50_000, runs: int = 200, seed: int = 15, build: bool = True) -> dict[str, Any]:
    """Generate `listings` listings (Django is set up, the database migrated) and time `runs` suggestions.

    After the bulk load PostgreSQL's table is vacuumed and analysed, as autovacuum does after that many inserts:
    without a visibility map the covering index cannot answer alone. build=False times the listings already there.
    """
    from django.db import connection
    from django.utils import timezone

    from jingzhi.core.validators import credit_code_check_char
    from jingzhi.org.models import Division, Enterprise
    from jingzhi.supplydemand.generate import bulk_publish, listing_rows
    from jingzhi.supplydemand.models import Listing, ListingTerm
    from jingzhi.supplydemand.suggest import suggestions_for

    rng = random.Random(seed)
    today = timezone.localdate()
    firms = list(Enterprise.objects.order_by("pk")[:5000])
    if not build:
        listings = 0
    if not firms:
        city = Division.objects.filter(parent=None).first() or Division.objects.create(
            code="211200", name="铁岭市", level="city", path="/211200/")
        rows = []
        for n in range(2000):
            first17 = f"91211200MB{n:07d}"[:17]
            rows.append(Enterprise(name=f"供需基准企业{n:05d}", credit_code=first17 + credit_code_check_char(first17),
                                   division=city, is_demo=True))
        firms = Enterprise.objects.bulk_create(rows, batch_size=2000)
    names = dict(Division.objects.values_list("code", "name"))
    started = time.perf_counter()
    bulk_publish(listing_rows(rng, firms, listings, today=today, place_names=names))
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE supplydemand_listingterm")
            c.execute("ANALYZE supplydemand_listing")
    build_seconds = time.perf_counter() - started
    ids = list(Listing.objects.values_list("pk", flat=True))
    sample = list(Listing.objects.in_bulk([ids[rng.randrange(len(ids))] for _ in range(runs)]).values())
    suggestions_for(sample[0])  # warm-up: jieba's tables, the first query plan
    timings = []
    found = 0
    cpu = time.process_time()
    for listing in sample:
        t = time.perf_counter()
        found += len(suggestions_for(listing))
        timings.append((time.perf_counter() - t) * 1000)
    cpu = time.process_time() - cpu
    timings.sort()
    return {
        "supply_demand_p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "supply_demand_p50_ms": round(statistics.median(timings), 1),
        "supply_demand_max_ms": round(timings[-1], 1),
        "listings": Listing.objects.count(), "term_rows": ListingTerm.objects.count(), "runs": runs,
        "suggestions_per_call": round(found / max(runs, 1), 1), "cpu_seconds": round(cpu, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()], "build_seconds": round(build_seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="time the listings already in the database")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to an empty database (PostgreSQL for the recorded figure).", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from jingzhi.supplydemand.models import Listing

    call_command("migrate", verbosity=0)
    if Listing.objects.exists() and not args.reuse:
        print("The database already holds listings; use an empty one (or --reuse them).", file=sys.stderr)
        return 2
    result = measure(listings=args.listings, runs=args.runs, build=not args.reuse)
    result["database"] = django.db.connection.vendor
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
