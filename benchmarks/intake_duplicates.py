"""Duplicate suggestion at intake (issue 13): the cost of one suggestion with many cases already indexed.

Builds a database (SQLite in a temporary directory, or --database-url) holding --cases cases of ONE county over the
last 60 days, all in the hotspot index: the demo's 3,798 real message-board texts, repeated with every place name's
characters rotated per copy (so copies name different communities, as in benchmarks/hotspots.py) and received at
random times in the last 60 days. One county is the hard case: every candidate of the index is in the scope searched. The texts'
features are computed once per text and rotated for the copies (running jieba for each copy would only measure
jieba); the cases and the index are written with bulk inserts.

Then --probes calls of `duplicate_suggestions` (what the intake panel runs while the operator types): the title
and text of an indexed case, as a caller would repeat it, each timed (wall and CPU of this process).

Prints one JSON line: cases, probes, p50_ms, p95_ms, cpu_p50_ms, cpu_p95_ms, and top1 (how often the case the
probe repeats is the first suggestion). Target: p95 ≤ 100 ms.

Usage: python benchmarks/intake_duplicates.py [--cases 30000] [--probes 300] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "jingzhi" / "demo" / "data" / "messages.csv.gz"


def _rotate(s: str, k: int) -> str:
    """Copy k's spelling of a name: every CJK character moved k × 97 code points along (stays CJK)."""
    return "".join(chr(0x4E00 + (ord(c) - 0x4E00 + k * 97) % 20000) if "\u4e00" <= c <= "\u9fa5" else c for c in s)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=30000)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JINGZHI_DATA_DIR"] = tmp
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        print(json.dumps(run(args.cases, args.probes)))
    return 0


def run(n_cases: int, n_probes: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from jingzhi.cases.models import Case, Status
    from jingzhi.hotspots import grouping, text
    from jingzhi.hotspots.duplicates import duplicate_suggestions
    from jingzhi.hotspots.models import CaseSignal, SignalKey
    from jingzhi.hotspots.services import SETTINGS
    from jingzhi.org.models import Division, Role, Unit, User

    call_command("migrate", verbosity=0)
    city, _ = Division.objects.get_or_create(code="219900", defaults={"name": "基准市", "level": "city", "path": "/219900/"})
    county, _ = Division.objects.get_or_create(code="219901", defaults={
        "name": "基准县", "level": "county", "parent": city, "path": "/219900/219901/"})
    unit, _ = Unit.objects.get_or_create(code="BENCH", defaults={"name": "基准热线", "division": city})
    operator, _ = User.objects.get_or_create(username="bench_operator", defaults={"role": Role.OPERATOR, "unit": unit})

    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        texts = [(r["title"], r["detail"]) for r in csv.DictReader(handle) if r["title"].strip()]
    rng = random.Random(13)
    now = timezone.now()
    base = [grouping.features(grouping.Message(id=str(i), title=t, detail=d, at=now, district=county.code), SETTINGS)
            for i, (t, d) in enumerate(texts)]

    def copy_text(i: int, k: int) -> tuple[str, str]:
        title, detail = texts[i]
        for place in text.places(title) + text.places(detail[: text.DETAIL_CHARS]):
            title, detail = title.replace(place, _rotate(place, k)), detail.replace(place, _rotate(place, k))
        return title, detail

    started = time.perf_counter()
    rows, feats = [], []
    for n in range(n_cases):
        i, k = n % len(texts), n // len(texts)
        title, detail = texts[i]  # the stored text is not read by the suggestion, only the features are
        f = base[i] if k == 0 else replace(base[i], places=frozenset(_rotate(g, k) for g in base[i].places),
                                          place_names=tuple(_rotate(p, k) for p in base[i].place_names))
        at = now - timedelta(seconds=rng.randint(0, 60 * 86400))
        status = Status.ACCEPTED if rng.random() < 0.7 else Status.CLOSED
        rows.append(Case(number=f"DB{n:010d}", channel="hotline", kind="complaint", status=status, title=title[:200],
                         content=detail, division=county, created_at=at, closed_at=at if status == Status.CLOSED else None))
        feats.append(f)
    cases = Case.objects.bulk_create(rows, batch_size=2000)
    signals = CaseSignal.objects.bulk_create(
        [CaseSignal(case=c, scope=county.code, at=c.created_at, features=grouping.features_to_json(f))
         for c, f in zip(cases, feats, strict=True)], batch_size=2000)
    SignalKey.objects.bulk_create(
        [SignalKey(signal=s, scope=county.code, key=k[:40], bucket=grouping.bucket_of(s.at, SETTINGS))
         for s, f in zip(signals, feats, strict=True) for k in grouping.index_keys(f)], batch_size=5000)
    fill = time.perf_counter() - started

    wall, cpu, top1 = [], [], 0
    # A caller repeats a case of the last 30 days (older ones are outside the window and not offered, by design).
    recent = [n for n, c in enumerate(cases) if c.created_at >= now - SETTINGS.window]
    for _ in range(n_probes):
        n = rng.choice(recent)
        i, k = n % len(texts), n // len(texts)
        title, detail = copy_text(i, k)
        t0, c0 = time.perf_counter(), time.process_time()
        found = duplicate_suggestions(user=operator, title=title, content=detail[:300], division_code=county.code)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        top1 += bool(found) and found[0].case.pk == cases[n].pk

    def pct(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1], 2)

    return {"cases": n_cases, "probes": n_probes, "fill_seconds": round(fill, 1), "p50_ms": pct(wall, 50),
            "p95_ms": pct(wall, 95), "cpu_p50_ms": pct(cpu, 50), "cpu_p95_ms": pct(cpu, 95),
            "top1": round(top1 / n_probes, 3)}


if __name__ == "__main__":
    raise SystemExit(main())
