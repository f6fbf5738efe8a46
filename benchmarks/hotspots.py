"""Hotspot detection on the TipDM 2020 messages (4,326 messages, 2019-01 … 2020-01).

1. The whole file through the stable CLI (`jingzhi hotspots detect --json`) in a child process, as any batch
   user would call it: wall seconds and the child's CPU seconds (the target is on one core; the CPU figure is
   the honest one on a shared machine).
2. The cost of placing one new message with 100,000 already indexed. The file is repeated with shifted times
   (copy k moves k × 3 days, so the copies overlap in time as a bigger city's messages would) and shifted
   places (every place name's characters rotated per copy, so copies name different communities). The index
   is filled with `Detector.add_with_features` from each original message's features with its place grams
   rotated (computing jieba 100,000 times would only repeat step 1); then 1,000 new messages of a further
   copy go through the full `Detector.add` (jieba, places, candidates, pair tests), one at a time.

Prints the top 5 hotspots (messages, span, place, summary) to stderr and one JSON line on stdout.
Usage: python benchmarks/hotspots.py [CSV]   (default: $JINGZHI_TIPDM_DIR/messages_for_hotspots.csv, else
shared/data/tipdm2020/messages_for_hotspots.csv beside the checkout)
Targets (issue 13): whole file ≤ 10 s on one core; a new message ≤ 20 ms p95 at 100,000 indexed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jingzhi.hotspots import text  # noqa: E402
from jingzhi.hotspots.csvio import read_messages  # noqa: E402
from jingzhi.hotspots.grouping import Detector, Features, Message, Settings, features  # noqa: E402


def default_csv() -> Path:
    base = os.environ.get("JINGZHI_TIPDM_DIR")
    folder = Path(base) if base else ROOT.parent / "shared" / "data" / "tipdm2020"
    return folder / "messages_for_hotspots.csv"


def _rotate(s: str, k: int) -> str:
    """Copy k's spelling of a name: every CJK character moved k × 97 code points along (stays CJK)."""
    return "".join(chr(0x4E00 + (ord(c) - 0x4E00 + k * 97) % 20000) if "\u4e00" <= c <= "\u9fa5" else c for c in s)


def _shifted_message(m: Message, k: int) -> Message:
    title, detail = m.title, m.detail
    for place in text.places(title) + text.places(detail[: text.DETAIL_CHARS]):
        title, detail = title.replace(place, _rotate(place, k)), detail.replace(place, _rotate(place, k))
    return replace(m, id=f"{m.id}#{k}", title=title, detail=detail, at=m.at + timedelta(days=3 * k))


def _shifted_features(f: Features, k: int) -> Features:
    return replace(f, places=frozenset(_rotate(g, k) for g in f.places),
                   place_names=tuple(_rotate(p, k) for p in f.place_names))


def run_cli(csv: Path) -> tuple[dict, float, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "jingzhi", "hotspots", "detect", "--csv", str(csv), "--json"],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"jingzhi hotspots detect failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(done.stdout), wall, cpu


def incremental(messages: list[Message], *, indexed: int, probes: int) -> dict:
    settings = Settings()
    ordered = sorted(messages, key=lambda m: (m.at, m.id))
    base = [(m, features(m, settings)) for m in ordered]
    detector = Detector(settings)
    started = time.perf_counter()
    k = 0
    while len(detector) < indexed:
        for m, f in base:
            if len(detector) >= indexed:
                break
            detector.add_with_features(replace(m, id=f"{m.id}#{k}", at=m.at + timedelta(days=3 * k)), _shifted_features(f, k))
        k += 1
    fill_seconds = time.perf_counter() - started
    new = [_shifted_message(m, k) for m in ordered[:: max(1, len(ordered) // probes)][:probes]]
    wall_ms, cpu_ms = [], []
    for m in new:
        w, c = time.perf_counter(), time.thread_time()
        detector.add(m)
        cpu_ms.append((time.thread_time() - c) * 1000)
        wall_ms.append((time.perf_counter() - w) * 1000)

    def pct(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1], 2)

    return {"indexed": len(detector) - len(new), "probes": len(new), "fill_seconds": round(fill_seconds, 1),
            "new_message_ms_p50": pct(wall_ms, 50), "new_message_ms_p95": pct(wall_ms, 95),
            "new_message_cpu_ms_p50": pct(cpu_ms, 50), "new_message_cpu_ms_p95": pct(cpu_ms, 95),
            "groups_at_scale": len(detector.groups())}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv", nargs="?", default=str(default_csv()))
    parser.add_argument("--indexed", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=1000)
    args = parser.parse_args()
    csv = Path(args.csv)
    if not csv.is_file():
        sys.exit(f"not found: {csv} (give the CSV path or set JINGZHI_TIPDM_DIR)")
    doc, wall, cpu = run_cli(csv)
    spots = doc["hotspots"]
    messages = read_messages(csv)
    by_id = {m.id: m for m in messages}
    for s in spots[:5]:
        print(f"#{s['rank']} heat {s['heat']}  {len(s['ids'])} messages  {s['from'][:10]} … {s['to'][:10]}  "
              f"place: {s['place']}\n   summary: {s['summary']}", file=sys.stderr)
        for i in s["ids"][:8]:
            print(f"     {i}  {by_id[i].at:%Y-%m-%d}  {by_id[i].title}", file=sys.stderr)
        if len(s["ids"]) > 8:
            print(f"     … and {len(s['ids']) - 8} more", file=sys.stderr)
    result = {"messages": len(messages), "groups": len(spots), "messages_in_groups": sum(len(s["ids"]) for s in spots),
              "whole_file_seconds": round(wall, 2), "whole_file_cpu_seconds": round(cpu, 2)}
    result.update(incremental(messages, indexed=args.indexed, probes=args.probes))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
