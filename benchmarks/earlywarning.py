"""A red warning over a county with 2,000 danger sites: how long the fan-out takes, and how fast the duty board answers.

Builds (outside the timing) one county with 20 townships and N danger sites (default 2,000), each with three 包保
officials (its township's, one of the county's ten, the city's), and a red heavy-rain rule. Then imports one CAP
1.2 message whose <area> is the county's GB/T 2260 code through the real service (`warning_import_cap`: parse,
match, one task per official per site, their events, in-app notifications) and times it; then asks the duty board
page as a dispatcher through the whole Django stack (middleware, session, template) R times (default 50), full page
and the htmx partial alternately, after a third of the tasks have been acknowledged.

Prints one JSON line: sites, tasks, fanout_seconds, fanout_cpu_seconds, board_p50_ms, board_p95_ms, board_max_ms, board_p95_cpu_ms
(this process's CPU per request: with SQLite the database works in-process, so on a shared machine it is the honest
figure), database.
Targets (issue 16): fan-out ≤ 5 s, board p95 ≤ 200 ms.

Usage: python benchmarks/earlywarning.py [--sites 2000] [--requests 50]
       (SQLite in a temporary directory unless DATABASE_URL is set; it must be an empty database for benchmarks)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = datetime(2026, 7, 30, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COUNTY = "219901"

CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>bench-red-1</identifier><sender>bench@jingzhi</sender>
<sent>{sent}</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><category>Met</category><event>暴雨红色预警</event><urgency>Immediate</urgency><severity>Extreme</severity>
<certainty>Likely</certainty><headline>暴雨红色预警（基准测试）</headline>
<area><areaDesc>基准县</areaDesc><geocode><valueName>GB/T 2260</valueName><value>{county}</value></geocode></area>
</info></alert>"""


def _build(sites: int) -> None:
    from django.contrib.auth.hashers import make_password

    from jingzhi.earlywarning.models import DangerSite, SiteOfficial
    from jingzhi.earlywarning.services import rule_set
    from jingzhi.org.models import Responsibility, User
    from jingzhi.org.services import division_upsert, unit_upsert, user_upsert

    city = division_upsert(actor=None, code="219900", name="基准市", level="city", parent=None)
    county = division_upsert(actor=None, code=COUNTY, name="基准县", level="county", parent=city)
    towns = [division_upsert(actor=None, code=f"{COUNTY}{i:03d}", name=f"基准镇{i}", level="township", parent=county)
             for i in range(20)]
    hotline = unit_upsert(actor=None, code="BENCH-SZX", name="基准热线", kind="hotline", division=city)
    password = make_password("Bench-pass-1")
    user_upsert(actor=None, username="bench_dispatcher", role="dispatcher", unit=hotline, division=city, password_hash=password)
    users = User.objects.bulk_create(
        [User(username=f"bench_town{i}", role="leader", division=towns[i % 20], password=password) for i in range(200)]
        + [User(username=f"bench_county{i}", role="leader", division=county, password=password) for i in range(10)]
        + [User(username="bench_city", role="leader", division=city, password=password)])
    town_users, county_users, city_user = users[:200], users[200:210], users[210]
    made = DangerSite.objects.bulk_create([
        DangerSite(code=f"B{i:05d}", name=f"基准险工险段{i}", site_type="levee", division=towns[i % 20],
                   latitude=42.0 + i / 10000, longitude=124.0 + i / 10000) for i in range(sites)])
    links = []
    for i, site in enumerate(made):
        for official, level in ((town_users[i % 200], "township"), (county_users[i % 10], "county"), (city_user, "city")):
            links.append((site, official, level))
    responsibilities = Responsibility.objects.bulk_create(
        [Responsibility(official=o, target_type="site", division=s.division, site_name=s.name) for s, o, _lvl in links],
        batch_size=2000)
    SiteOfficial.objects.bulk_create([SiteOfficial(site=s, responsibility=r, level=lvl)
                                      for (s, _o, lvl), r in zip(links, responsibilities, strict=True)], batch_size=2000)
    rule_set(actor=None, warning_type="heavy_rain", level="red", ack_minutes=10, onsite_minutes=120,
             checklist=["到岗到位", "检查堤防渗漏、管涌、裂缝", "危险区群众转移到位"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print a profile of the fan-out and one board to stderr")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="jingzhi-bench-warnings-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from jingzhi.earlywarning.models import DangerSite, InspectionTask
    from jingzhi.earlywarning.services import warning_import_cap
    from jingzhi.org.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    if DangerSite.objects.exists():
        print("This database already holds danger sites; give an empty database.", file=sys.stderr)
        return 2
    _build(args.sites)
    data = CAP.format(sent=NOW.isoformat(), county=COUNTY).encode()
    import cProfile
    import pstats

    profile = cProfile.Profile()
    started, cpu_started = time.perf_counter(), time.process_time()
    slow: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slow.append((time.perf_counter() - t0, sql[:120]))

    if args.profile:
        profile.enable()
    with connection.execute_wrapper(timed):
        outcome = warning_import_cap(actor=None, data=data, now=NOW)
    fanout, fanout_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if args.profile:
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(20)
        for seconds, sql in sorted(slow, reverse=True)[:8]:
            print(f"{seconds * 1000:8.1f} ms  {sql}", file=sys.stderr)
    # A third acknowledged, so the board has every kind of row.
    acked = list(InspectionTask.objects.filter(warning=outcome.warning).values_list("pk", flat=True)[::3])
    InspectionTask.objects.filter(pk__in=acked).update(status="acknowledged", acknowledged_at=NOW + timedelta(minutes=4))
    client = Client()
    client.force_login(User.objects.get(username="bench_dispatcher"))
    url = f"/warnings/{outcome.warning.pk}/"
    times, cpu = [], []
    for i in range(args.requests + 3):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url, HTTP_HX_REQUEST="true") if i % 2 else client.get(url)
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= 3:
            cpu.append((time.process_time() - c0) * 1000)
        if response.status_code != 200:
            print(f"duty board answered {response.status_code}", file=sys.stderr)
            return 1
        if i >= 3:  # the first requests warm caches (templates, translations)
            times.append(elapsed)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        client.get(url)
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    times.sort()
    cpu.sort()
    print(json.dumps({
        "sites": args.sites, "tasks": outcome.created, "fanout_seconds": round(fanout, 3),
        "fanout_cpu_seconds": round(fanout_cpu, 3),
        "board_p50_ms": round(statistics.median(times), 1), "board_p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "board_max_ms": round(times[-1], 1), "board_p95_cpu_ms": round(cpu[int(len(cpu) * 0.95) - 1], 1), "requests": len(times), "database": connection.vendor,
    }))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
