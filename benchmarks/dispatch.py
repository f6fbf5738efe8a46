"""The dispatch classifier on the TipDM 2020 messages: train on the `train` split, evaluate on `dev` (raw text).

Runs the stable CLI (`jingzhi dispatch train` / `evaluate --json`) in child processes, as any benchmark of it
would, and prints one JSON line: the evaluate output plus train_seconds and peak_memory_mb (the larger child's
peak resident memory).

Usage: python benchmarks/dispatch.py [--csv PATH] [--keep MODEL_PATH]
Targets (issue 3): macro-F1 ≥ 0.95, coverage ≥ 0.90 at precision 0.98, p50 ≤ 2 ms, training ≤ 120 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "tipdm2020" / "messages_labeled.csv"


def _jingzhi(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "jingzhi", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"jingzhi {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default=str(DEFAULT_CSV))
    parser.add_argument("--keep", help="also keep the trained model at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = args.keep or str(Path(tmp) / "dispatch.joblib")
        started = time.perf_counter()
        _jingzhi("dispatch", "train", "--csv", args.csv, "--split", "train", "--out", model)
        train_seconds = time.perf_counter() - started
        result = json.loads(_jingzhi("dispatch", "evaluate", "--csv", args.csv, "--split", "dev", "--model", model, "--json"))
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    result.update(train_seconds=round(train_seconds, 1), peak_memory_mb=round(peak_kb / 1024, 1))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
