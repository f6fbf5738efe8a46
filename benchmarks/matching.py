"""Policy matching at scale: N enterprises (default 10,000) × P published policies (default 500).

Fills the database given by DATABASE_URL (PostgreSQL; it must hold no real data) with a city of seven counties,
enterprises with tags, two years of figures and a few dishonesty records, and P policies — all drawn from the
realistic distribution below (`population`, `policy_conditions`; docs/performance.md explains it). Policies are
created and published through the services before the enterprises exist, so publishing costs nothing here.
Then times, through the services:

- full_match_seconds: `rematch()` of every enterprise against every policy, writing the qualified and near pairs
  and the 免申即享 grants (the first run: every row is new);
- full_evaluation_seconds: loading the facts and classifying every pair, without writing (the pure rule cost);
- one_enterprise_p95_ms: one enterprise's figures change → `rematch(enterprise_ids=[it])`, p95 over R runs;
- policy_change_seconds: one policy edited (`policy_revise`, a new version) and re-matched against every
  enterprise (the task runs inline: JINGZHI_TASK_BACKEND is the immediate backend here); the median of three
  revisions of different policies (one run on a shared machine is noise).

Each timing has its CPU time (time.process_time of this process: Python; the database server's time is the rest)
and the number of SQL statements. supply_demand_p95_ms: supply–demand suggestions over --listings listings (50,000),
measured by benchmarks/supply_demand.py's measure() on the same database (--listings 0 skips it). Prints one JSON line.

Usage: DATABASE_URL=postgres://…/jz_bench python benchmarks/matching.py [--enterprises N] [--policies P] [--runs R]
       [--profile FILE]  (cProfile of the full match, written to FILE)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------------------- the population
#
# Shares of a county-level economy in north-east China (铁岭: seven counties; most firms micro or small, a third
# in manufacturing, few with technology titles). Real policies are written for such a population and reach a
# few per cent of it; the rules below are shaped on real ones (专精特新 awards, 高企 rewards, R&D post-subsidies,
# 规上 increments, a county's chain policy, 稳岗返还), not random, so that the pairs that qualify and nearly qualify
# are as many as a real catalogue makes.

SIZES = (("micro", 62, 1, 19), ("small", 28, 20, 299), ("medium", 8, 300, 999), ("large", 2, 1000, 5000))
OUTPUT = {"micro": (20, 500), "small": (300, 5000), "medium": (3000, 40000), "large": (20000, 300000)}  # 万元
INDUSTRIES = (  # GB/T 4754 code, weight (per cent)
    ("C2911", 4), ("C2913", 3), ("C1311", 4), ("C1391", 3), ("C3670", 3), ("C3491", 3), ("C2659", 2), ("C3411", 2),
    ("C2411", 1), ("C3841", 2), ("C2221", 1), ("C1512", 2), ("A0111", 4), ("A0311", 3), ("A0511", 3), ("E4811", 4),
    ("E5011", 4), ("F5123", 8), ("F5211", 10), ("F5261", 7), ("G5430", 6), ("H6210", 8), ("I6513", 2), ("I6450", 1),
    ("M7320", 1), ("M7512", 2), ("N7721", 2), ("O8011", 5),
)
TECH = ("C", "I", "M")


@dataclass
class Firm:
    county: str
    industry: str
    size: str
    employees: int | None
    registered: datetime
    tags: list[str]
    output: Decimal
    rd_ratio: Decimal  # per cent of output
    tax_rate: Decimal
    dishonest: bool


def population(rng: random.Random, n: int, today: date, counties: list[str]) -> list[Firm]:
    firms = []
    codes, weights = zip(*INDUSTRIES, strict=True)
    for _i in range(n):
        size, _w, lo, hi = rng.choices(SIZES, weights=[s[1] for s in SIZES])[0]
        industry = rng.choices(codes, weights=weights)[0]
        tech = industry[0] in TECH
        tags = []
        if rng.random() < {"large": 0.9, "medium": 0.55, "small": 0.1, "micro": 0.005}[size]:
            tags.append("above_scale")
        if tech and rng.random() < (0.12 if size in ("medium", "large") else 0.05):
            tags.append("high_tech")
        if tech and size != "large" and rng.random() < 0.15:
            tags.append("tech_sme")
        if tech and size in ("small", "medium") and rng.random() < 0.08:
            tags.append("specialised")
            if rng.random() < 0.1:
                tags.append("little_giant")
        if tech and size in ("micro", "small") and rng.random() < 0.01:
            tags.append("eaglet")
        if tech and size == "medium" and rng.random() < 0.05:
            tags.append("gazelle")
        if rng.random() < {"large": 0.3, "medium": 0.05, "small": 0.0, "micro": 0.0}[size]:
            tags.append("key")
        innovative = bool({"high_tech", "tech_sme", "specialised"} & set(tags))
        if innovative:
            rd = Decimal(rng.randint(150, 800)) / 100
        elif industry[0] == "C" and rng.random() < 0.6:
            rd = Decimal(rng.randint(0, 250)) / 100
        else:
            rd = Decimal(rng.randint(0, 30)) / 100 if rng.random() < 0.3 else Decimal(0)
        low, high = OUTPUT[size]
        output = Decimal(round(low * (high / low) ** rng.random(), 2)).quantize(Decimal("0.01"))
        employees = None if rng.random() < 0.05 else int(lo * (hi / lo) ** rng.random())
        registered = datetime.combine(today, datetime.min.time(), UTC) - timedelta(days=rng.randint(30, 25 * 365))
        firms.append(Firm(rng.choice(counties), industry, size, employees, registered, tags, output, rd,
                          Decimal(rng.randint(2, 6)) / 100, rng.random() < 0.02))
    return firms


def policy_conditions(rng: random.Random, counties: list[str]) -> list[dict[str, object]]:
    """One policy's rules, drawn from the kinds a city's catalogue holds (weights: share of the catalogue).

    Each has what a real call for applications (申报条件) has: a target (a title, a chain, a county), one or two
    figures, and the usual "registered here for a year or more" and "no dishonesty record".
    """
    clean = {"field": "dishonest", "op": "is", "value": False}

    def years(*choices: str) -> dict[str, object]:
        return {"field": "years_registered", "op": "gte", "value": rng.choice(choices)}

    def at_least(field: str, *choices: str) -> dict[str, object]:
        return {"field": field, "op": "gte", "value": rng.choice(choices)}

    chains = [["C291"], ["C367", "C34"], ["C13", "C14", "C15"], ["C26"], ["C38"], ["C22", "C24"]]
    kinds: list[tuple[int, Callable[[], list[dict[str, object]]]]] = [
        (10, lambda: [{"field": "tags", "op": "has_any", "value": ["specialised", "little_giant"]},
                      at_least("rd_ratio", "3"), years("2"), clean]),  # 专精特新 award
        (10, lambda: [{"field": "tags", "op": "has_all", "value": ["high_tech"]}, at_least("rd_ratio", "3", "4"),
                      at_least("output", "500", "1000"), clean]),  # 高新技术企业 reward
        (10, lambda: [{"field": "tags", "op": "has_any", "value": ["tech_sme", "high_tech"]},
                      at_least("rd_spend", "20", "50"), {"field": "size", "op": "in", "value": ["micro", "small", "medium"]},
                      clean]),  # 科技型中小企业 R&D post-subsidy
        (10, lambda: [{"field": "tags", "op": "has_all", "value": ["above_scale"]},
                      {"field": "industry", "op": "prefix", "value": ["C"]}, at_least("output", "2000", "5000"),
                      at_least("employees", "50"), clean]),  # 规上工业 growth award
        (15, lambda: [{"field": "industry", "op": "prefix", "value": rng.choice(chains)},
                      at_least("employees", "20", "50"), at_least("output", "500", "1000"), years("1"),
                      clean]),  # an industrial chain (rubber, auto parts, food…)
        (15, lambda: [{"field": "division", "op": "within", "value": [rng.choice(counties)]},
                      {"field": "industry", "op": "prefix", "value": [rng.choice(["C", "A", "F", "G", "H", "E"])]},
                      {"field": "size", "op": "in", "value": ["small", "medium"]}, years("1", "2", "3"),
                      clean]),  # a county's own policy for one sector
        (8, lambda: [{"field": "industry", "op": "prefix", "value": ["A", "C13"]},
                     {"field": "division", "op": "within", "value": rng.sample(counties, 2)},
                     {"field": "size", "op": "in", "value": ["micro", "small"]}, years("1"), clean]),  # agriculture
        (5, lambda: [at_least("employees", "20", "50"), years("1"), clean]),  # 稳岗返还: broad on purpose
        (7, lambda: [{"field": "industry", "op": "prefix", "value": ["I65", "I64"]}, years("1", "2"),
                     at_least("employees", "10"), clean]),  # software and digital services
        (10, lambda: [{"field": "size", "op": "in", "value": ["small", "medium"]},
                      {"field": "tags", "op": "has_none", "value": ["above_scale"]},
                      {"field": "industry", "op": "prefix", "value": ["C"]}, at_least("output", "1500", "2000"),
                      clean]),  # 首次升规 (first time above scale)
    ]
    return rng.choices([k[1] for k in kinds], weights=[k[0] for k in kinds])[0]()


# ---------------------------------------------------------------------------------------------- measuring


@dataclass
class Timed:
    wall: float = 0.0
    cpu: float = 0.0  # this process (Python, all its threads)
    db_cpu: float | None = None  # the PostgreSQL backend serving it, when it runs on this machine (/proc)
    statements: int = 0  # SQL statements through Django (each COPY counts as none)


def _backend_cpu(pid: int | None) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def timed() -> Iterator[Timed]:
    from django.db import connection

    t = Timed()
    count = [0]

    def counter(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db = _backend_cpu(pid)
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        yield t
    t.wall, t.cpu, t.statements = time.perf_counter() - wall, time.process_time() - cpu, count[0]
    after = _backend_cpu(pid)
    t.db_cpu = None if db is None or after is None else after - db


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--policies", type=int, default=500)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", default="")
    parser.add_argument("--listings", type=int, default=50_000, help="supply–demand listings (0: not measured)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database for the benchmark.", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    os.environ["JINGZHI_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from jingzhi.core import notify
    from jingzhi.core.validators import credit_code_check_char
    from jingzhi.matching.facts import facts_for
    from jingzhi.matching.models import DishonestyRecord, Grant, Match, Policy
    from jingzhi.matching.services.matching import classify, rematch, rules_in_force
    from jingzhi.matching.services.policies import policy_create, policy_publish, policy_revise
    from jingzhi.org.models import Division, Enterprise, EnterpriseFigures, EnterpriseTag, Unit

    call_command("migrate", verbosity=0)
    if Enterprise.objects.exists() or Policy.objects.exists():
        print("The database already holds enterprises or policies; use an empty one.", file=sys.stderr)
        return 2
    rng = random.Random(15)
    today = timezone.localdate()
    city = Division.objects.create(code="211200", name="铁岭市", level="city", path="/211200/")
    counties = {c: Division.objects.create(code=c, name=n, level="county", parent=city, path=f"/211200/{c}/")
                for c, n in (("211202", "银州区"), ("211204", "清河区"), ("211221", "铁岭县"), ("211223", "西丰县"),
                             ("211224", "昌图县"), ("211281", "调兵山市"), ("211282", "开原市"))}
    unit = Unit.objects.create(code="KJJ", name="市科技局", division=city)
    content = {"level": "city", "valid_from": today.replace(month=1, day=1).isoformat(),
               "valid_to": today.replace(year=today.year + 1).isoformat(), "benefit_kind": "rate", "benefit_rate": "10",
               "benefit_base": "rd_spend", "benefit_cap": "50"}
    with notify.suppressed():
        policies = []
        for i in range(args.policies):
            p, _ = policy_create(actor=None, issuer=unit, content={
                **content, "title": f"政策{i:04d}", "no_application": i % 5 == 0,
                "conditions": policy_conditions(rng, list(counties))})
            policy_publish(actor=None, policy=p)
            policies.append(p)

    firms = population(rng, args.enterprises, today, list(counties))
    rows = []
    for n, f in enumerate(firms):
        first17 = f"91{f.county}MA{n:07d}"[:17]
        rows.append(Enterprise(name=f"基准企业{n:06d}", credit_code=first17 + credit_code_check_char(first17),
                               division=counties[f.county], industry=f.industry, size=f.size, employees=f.employees,
                               created_at=f.registered, is_demo=True))
    enterprises = Enterprise.objects.bulk_create(rows, batch_size=2000)
    pairs_ef = list(zip(enterprises, firms, strict=True))
    EnterpriseTag.objects.bulk_create([EnterpriseTag(enterprise=e, tag=t) for e, f in pairs_ef for t in f.tags],
                                      batch_size=5000)
    EnterpriseFigures.objects.bulk_create(
        [EnterpriseFigures(enterprise=e, year=y, output=out, tax=(out * f.tax_rate).quantize(Decimal("0.01")),
                           rd_spend=(out * f.rd_ratio / 100).quantize(Decimal("0.01")), employees=e.employees)
         for e, f in pairs_ef for y, out in ((today.year - 2, (f.output * Decimal("0.92")).quantize(Decimal("0.01"))),
                                             (today.year - 1, f.output))], batch_size=5000)
    DishonestyRecord.objects.bulk_create([DishonestyRecord(enterprise=e, authority="市市场监管局", listed_on=today.replace(day=1))
                                          for e, f in pairs_ef if f.dishonest])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics after the bulk load, as autovacuum would make them
    print("data loaded", file=sys.stderr)

    out: dict[str, Any] = {"benchmark": "matching", "database": connection.vendor, "enterprises": args.enterprises,
                           "policies": args.policies, "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    with notify.suppressed():
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        with timed() as full_t:
            full = rematch(on=today)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        print("full match", full_t, file=sys.stderr)

        with timed() as eval_t:
            facts = facts_for(None, on=today, stamp=False)
            wanted = classify(rules_in_force(today), facts)
        pairs = len(facts) * args.policies
        print("evaluation", eval_t, file=sys.stderr)
        qualified = sum(w[1] == "qualified" for w in wanted.values())
        kept = len(wanted)
        # A worker re-matching one enterprise does not hold a million decisions: without this, the garbage
        # collector's passes over them were counted in every run below.
        del wanted, facts
        gc.collect()

        timings, cpu, db_cpu, statements = [], [], [], []
        for _r in range(args.runs):
            e = enterprises[rng.randrange(len(enterprises))]
            EnterpriseFigures.objects.filter(enterprise=e, year=today.year - 1).update(rd_spend=Decimal(rng.randint(0, 2000)))
            with timed() as one:
                rematch(enterprise_ids=[e.pk], on=today)
            timings.append(one.wall * 1000)
            cpu.append(one.cpu * 1000)
            db_cpu.append((one.db_cpu or 0) * 1000)
            statements.append(one.statements)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print("one enterprise", p95, file=sys.stderr)

        changes = []
        for policy in policies[1:4]:
            policy.refresh_from_db()
            v = policy.current
            changed = {k: getattr(v, k) for k in ("title", "level", "document_number", "summary", "target",
                                                  "no_application", "valid_from", "valid_to", "benefit_kind",
                                                  "benefit_amount", "benefit_rate", "benefit_base", "benefit_cap")}
            changed["conditions"] = policy_conditions(rng, list(counties))
            with timed() as change_t:
                policy_revise(actor=None, policy=policy, content=changed)  # its re-match runs on commit, inline here
            changes.append(change_t)
            print("policy change", change_t, file=sys.stderr)
        change = sorted(changes, key=lambda t: t.wall)[len(changes) // 2]

    supply: dict[str, Any] = {"supply_demand_p95_ms": None, "listings": 0}
    if args.listings:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from supply_demand import measure as supply_demand_measure

        supply = supply_demand_measure(listings=args.listings, runs=200)
    out.update({
        "pairs": pairs,
        "full_match_seconds": round(full_t.wall, 2), "full_match_cpu_seconds": round(full_t.cpu, 2),
        "full_match_db_cpu_seconds": full_t.db_cpu, "full_match_statements": full_t.statements,
        "full_evaluation_seconds": round(eval_t.wall, 2), "full_evaluation_db_cpu_seconds": eval_t.db_cpu, "full_evaluation_cpu_seconds": round(eval_t.cpu, 2),
        "one_enterprise_p95_ms": round(p95, 1), "one_enterprise_median_ms": round(statistics.median(timings), 1),
        "one_enterprise_cpu_median_ms": round(statistics.median(cpu), 1),
        "one_enterprise_db_cpu_median_ms": round(statistics.median(db_cpu), 1),
        "one_enterprise_statements_max": max(statements),
        "policy_change_seconds": round(change.wall, 2), "policy_change_cpu_seconds": round(change.cpu, 2),
        "policy_change_db_cpu_seconds": change.db_cpu,
        "policy_change_statements": change.statements,
        "supply_demand_p95_ms": supply["supply_demand_p95_ms"], "listings": supply["listings"],
        "qualified": full.qualified, "near": full.near, "grants": Grant.objects.count(),
        "match_rows": Match.objects.count(),
        "qualified_share": round(qualified / max(pairs, 1), 4),
        "near_share": round((kept - qualified) / max(pairs, 1), 4),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    })
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
