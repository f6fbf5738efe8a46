"""The enterprise page and the 专班 board at scale: 10,000 enterprises and 200,000 enterprise needs (cases).

Fills the database given by DATABASE_URL (PostgreSQL; it must hold no real data) with a city, 10,000 enterprises
with tags and figures, 200,000 needs (a case of kind "enterprise" plus its need row, one in ten still open),
20,000 visits and a 专班 of 300 enterprises, with bulk inserts (not the services: this measures reads). Then
times, through Django's test client as a signed-in dispatcher, the enterprise page of enterprises with many needs
and the 专班 board. Prints one JSON line with median and p95 milliseconds and queries per page.

Usage: DATABASE_URL=postgres://…/jz_bench python benchmarks/enterprises.py [--enterprises N] [--needs M] [--runs R] [--reuse]
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database for the benchmark.", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    os.environ["JINGZHI_ALLOWED_HOSTS"] = "testserver,localhost"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jingzhi.cases.models import Case
    from jingzhi.core.validators import credit_code_check_char
    from jingzhi.enterprises.models import Need, TaskForce, Visit
    from jingzhi.org.models import Division, Enterprise, EnterpriseFigures, EnterpriseTag, Role, Unit, User

    call_command("migrate", verbosity=0)
    rng = random.Random(14)
    now = timezone.now()
    if not args.reuse or not Enterprise.objects.exists():
        started = time.perf_counter()
        city, _ = Division.objects.get_or_create(code="211200", defaults={"name": "铁岭市", "level": "city", "path": "/211200/"})
        county, _ = Division.objects.get_or_create(code="211202", defaults={"name": "银州区", "level": "county", "parent": city,
                                                                           "path": "/211200/211202/"})
        unit, _ = Unit.objects.get_or_create(code="YZKFQ", defaults={"name": "银州经济开发区管委会", "division": county})
        dispatcher = User.objects.filter(username="bench_dispatcher").first() or User.objects.create_user(
            "bench_dispatcher", password="Bench-enterprise-2026", role=Role.DISPATCHER, unit=unit, division=city)
        members = [User.objects.get_or_create(username=f"bench_member{i}", defaults={"role": Role.HANDLER, "unit": unit})[0]
                   for i in range(8)]
        firms = Enterprise.objects.bulk_create([
            Enterprise(name=f"基准企业{i:05d}", credit_code=(c := f"91211202MA{i:07d}") + credit_code_check_char(c),
                       division=county, industry="C3670", size="small", employees=50, is_demo=True)
            for i in range(args.enterprises)], batch_size=2000)
        EnterpriseTag.objects.bulk_create([EnterpriseTag(enterprise=e, tag="tech_sme") for e in firms], batch_size=5000)
        EnterpriseFigures.objects.bulk_create([EnterpriseFigures(enterprise=e, year=y, output=1000, tax=50)
                                               for e in firms for y in (2024, 2025)], batch_size=5000)
        # Skewed: a few enterprises hold many needs, as key enterprises do.
        weights = [1 / (i + 1) ** 0.6 for i in range(len(firms))]
        owners = rng.choices(firms, weights=weights, k=args.needs)
        batch = 5000
        for start in range(0, args.needs, batch):
            cases, needs = [], []
            for i in range(start, min(start + batch, args.needs)):
                at = now - timedelta(days=rng.uniform(0, 700))
                status = "handling" if rng.random() < 0.1 else "closed"
                cases.append(Case(number=f"BENCH{i:09d}", channel="app", kind="enterprise", status=status, title="企业诉求",
                                  content="基准数据", division=county, lead_unit=unit, created_at=at, enterprise=owners[i],
                                  replied_at=at + timedelta(days=3) if status == "closed" else None))
            Case.objects.bulk_create(cases)
            for c in cases:
                needs.append(Need(case=c, enterprise=c.enterprise, channel="direct", created_at=c.created_at,
                                  contact_due=c.created_at + timedelta(hours=1), progress_due=c.created_at + timedelta(days=3),
                                  close_due=c.created_at + timedelta(days=5)))
            Need.objects.bulk_create(needs)
        Visit.objects.bulk_create([Visit(enterprise=rng.choice(firms), visitor=rng.choice(members), asked="走访",
                                         visited_on=(now - timedelta(days=rng.randint(0, 365))).date(), created_at=now)
                                   for _ in range(20_000)], batch_size=5000)
        tf = TaskForce.objects.create(name="基准专班", leader=None, is_demo=True)
        tf.members.set(members)
        tf.enterprises.set(firms[:300])
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    dispatcher = User.objects.get(username="bench_dispatcher")
    tf = TaskForce.objects.get(name="基准专班")
    busiest = list(Need.objects.values_list("enterprise_id", flat=True).order_by("enterprise_id").distinct()[:20])
    client = Client()
    client.force_login(dispatcher)

    def timed(urls: list[str]) -> dict[str, float]:
        samples, queries = [], []
        for i in range(args.runs):
            url = urls[i % len(urls)]
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.append(len(ctx.captured_queries))
        samples.sort()
        return {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1),
                "queries": max(queries)}

    client.get(f"/enterprises/{busiest[0]}/")  # warm caches and templates once
    result = {
        "benchmark": "enterprises", "database": connection.vendor, "enterprises": Enterprise.objects.count(),
        "needs": Need.objects.count(), "runs": args.runs,
        "enterprise_page": timed([f"/enterprises/{pk}/" for pk in busiest]),
        "task_force_board": timed([f"/enterprises/task-forces/{tf.pk}/"]),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
