"""How a province would run Jingzhi: a simulation of its busiest hour on measured costs (docs/scaling.md).

The volume is Beijing 12345's published scale: 24 M cases a year (≈ 66,000 a day). The busiest hour is the busiest
hour of an ordinary day's profile (the hourly shape of 8,360 real, time-stamped messages to a city's online
message board, 2019–2020) on a day with 5× the mean volume. Every case brings, over its life, its create, the
lifecycle writes and the staff pages read about it; in steady state each kind arrives at the case rate times its
count per case.

Each request uses an application core (Python) and then a database core: the primary for writes and for the
pages that must see them, a replica for the replica-reading pages (dashboards, rankings, reports, exports,
search — core/replicas.py). Service times are exponential around the measured means; queues are first come,
first served. The script simulates the peak hour for each candidate layout and prints one JSON line: the smallest
layout whose p95 stays within the targets, and the figures of each layout tried.

    python benchmarks/province.py [--cases-per-year 24000000] [--peak-factor 5] [--seconds 600]
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
from dataclasses import dataclass

# Share of a day's messages in each hour 0–23 (8,360 time-stamped public messages; the peak is 10–11 h, 11.0 %).
HOURLY = [0.0248, 0.0117, 0.0042, 0.0031, 0.0024, 0.0037, 0.0077, 0.0144, 0.0431, 0.0628, 0.1103, 0.078,
          0.0535, 0.0489, 0.0651, 0.0853, 0.0673, 0.0681, 0.0489, 0.0407, 0.0402, 0.041, 0.0437, 0.0313]


@dataclass(frozen=True)
class Kind:
    name: str
    per_case: float  # how many of these each case brings over its life
    app_ms: float  # mean Python time in the application process
    db_ms: float  # mean database time
    replica: bool  # may read from a replica
    source: str  # where the figure comes from


# Measured (docs/performance.md, issue 12's profile) unless the source says "assumed".
KINDS = [
    Kind("create", 1, 35.0, 9.0, False, "measured: 35 ms Python + 9 ms PostgreSQL per REST create (issue 12 profile)"),
    Kind("lifecycle write", 6.3, 25.0, 6.0, False,
         "6.3 events per case in the demo city (18,913 / 3,004); cost assumed ≈ 0.7 of a create"),
    Kind("work page", 12, 30.0, 5.0, False, "assumed: queue and case pages a unit opens per case"),
    Kind("list/search", 5, 20.0, 70.0, True, "measured: list p50 60 ms, search p50 84–90 ms at 1 M cases"),
    Kind("dashboard/report", 2, 25.0, 150.0, True, "measured: dashboard p50 147–164 ms at 1–10 M cases"),
    Kind("export", 0.2, 300.0, 400.0, True, "assumed: a 1,000-row Excel export"),
]


@dataclass
class Layout:
    app_cores: int
    primary_cores: int
    replicas: int
    replica_cores: int

    def label(self) -> str:
        return f"{self.app_cores} app cores, primary {self.primary_cores} cores, {self.replicas}×{self.replica_cores}-core replicas"


def simulate(layout: Layout, rate_per_case: float, seconds: float, seed: int) -> dict[str, object]:
    """Two-stage FCFS queues (application, then database) fed by Poisson arrivals of each kind."""
    rng = random.Random(seed)
    arrivals: list[tuple[float, Kind]] = []
    for kind in KINDS:
        lam = rate_per_case * kind.per_case
        t = rng.expovariate(lam)
        while t < seconds:
            arrivals.append((t, kind))
            t += rng.expovariate(lam)
    arrivals.sort(key=lambda a: a[0])
    app = [0.0] * layout.app_cores  # when each core is next free (a heap)
    primary = [0.0] * layout.primary_cores
    replica_pools = [[0.0] * layout.replica_cores for _ in range(layout.replicas)]
    busy = {"app": 0.0, "primary": 0.0, "replica": 0.0}
    times: dict[str, list[float]] = {k.name: [] for k in KINDS}
    turn = 0
    for t, kind in arrivals:
        free = heapq.heappop(app)
        start = max(t, free)
        app_s = rng.expovariate(1000.0 / kind.app_ms)
        done_app = start + app_s
        heapq.heappush(app, done_app)
        busy["app"] += app_s
        if kind.replica and layout.replicas:
            pool, which = replica_pools[turn % layout.replicas], "replica"
            turn += 1
        else:
            pool, which = primary, "primary"
        free = heapq.heappop(pool)
        start_db = max(done_app, free)
        db_s = rng.expovariate(1000.0 / kind.db_ms)
        heapq.heappush(pool, start_db + db_s)
        busy[which] += db_s
        times[kind.name].append((start_db + db_s - t) * 1000.0)

    def p(values: list[float], q: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else 0.0

    replica_cores = max(1, layout.replicas * layout.replica_cores)
    return {
        "layout": layout.label(),
        "requests_per_second": round(len(arrivals) / seconds, 1),
        "utilisation": {
            "app": round(busy["app"] / (seconds * layout.app_cores), 3),
            "primary": round(busy["primary"] / (seconds * layout.primary_cores), 3),
            "replicas": round(busy["replica"] / (seconds * replica_cores), 3) if layout.replicas else None,
        },
        "p95_ms": {k: p(v, 0.95) for k, v in times.items()},
        "p50_ms": {k: p(v, 0.50) for k, v in times.items()},
    }


def fits(result: dict[str, object], create_p95: float, page_p95: float) -> bool:
    p95 = result["p95_ms"]
    assert isinstance(p95, dict)
    util = result["utilisation"]
    assert isinstance(util, dict)
    # Stable with headroom (≤ 70 % busy anywhere), creates and work pages fast, the heavy reads within a second.
    return (
        all(u is None or u <= 0.70 for u in util.values())
        and p95["create"] <= create_p95 and p95["work page"] <= page_p95 and p95["lifecycle write"] <= page_p95
        and p95["list/search"] <= 1000 and p95["dashboard/report"] <= 1500
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases-per-year", type=float, default=24_000_000)
    ap.add_argument("--peak-factor", type=float, default=5.0, help="the busiest day's volume over the mean day's")
    ap.add_argument("--seconds", type=float, default=600.0, help="simulated seconds of the peak hour")
    ap.add_argument("--create-p95-ms", type=float, default=300.0)
    ap.add_argument("--page-p95-ms", type=float, default=300.0)
    args = ap.parse_args()

    per_day = args.cases_per_year / 365.0
    peak_hour_cases = per_day * args.peak_factor * max(HOURLY)
    rate = peak_hour_cases / 3600.0
    tried = []
    chosen = None
    # Grow the layout where it is busiest, starting from one machine's worth.
    layout = Layout(app_cores=2, primary_cores=2, replicas=0, replica_cores=4)
    for _ in range(40):
        result = simulate(layout, rate, args.seconds, seed=20261207)
        tried.append(result)
        if fits(result, args.create_p95_ms, args.page_p95_ms):
            chosen = result
            break
        util = result["utilisation"]
        assert isinstance(util, dict)
        worst = max((k for k in util if util[k] is not None), key=lambda k: util[k])
        if layout.replicas == 0 and util["primary"] > 0.70:
            layout.replicas = 1  # the heavy reads leave the primary first
        elif worst == "app":
            layout.app_cores += 2
        elif worst == "primary":
            layout.primary_cores += 2
        else:
            layout.replicas += 1
    # The same database cores, all on one primary: what the replicas buy beyond capacity (isolation of the heavy reads).
    final = layout
    no_replica = simulate(Layout(final.app_cores, final.primary_cores + final.replicas * final.replica_cores, 0, 4),
                          rate, args.seconds, seed=20261207)
    print(json.dumps({
        "cases_per_year": args.cases_per_year,
        "cases_per_mean_day": round(per_day),
        "peak_factor": args.peak_factor,
        "peak_hour_cases": round(peak_hour_cases),
        "peak_cases_per_second": round(rate, 2),
        "events_per_year": round(args.cases_per_year * 6.3),
        "events_per_month": round(args.cases_per_year * 6.3 / 12),
        "chosen": chosen,
        "steps": len(tried),
        "tried": [t["layout"] for t in tried],
        "same_cores_on_one_primary": no_replica,
        "costs": [{"kind": k.name, "per_case": k.per_case, "app_ms": k.app_ms, "db_ms": k.db_ms, "replica": k.replica,
                   "source": k.source} for k in KINDS],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
