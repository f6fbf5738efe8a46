"""How long the README's first command's build takes: `jingzhi demo` on a fresh data directory, timed until it prints
its address, then stopped (SIGINT to the process this script started).

Prints one JSON line: wall_seconds, cpu_seconds (the command's process and its children: the demo fits its classifier
in a second process), load_average at the start and the end (the machine may be shared), and the build's summary.
Usage: python -P benchmarks/demo_command.py [--src PATH] [--port 8765]  (--src: another checkout's src, to compare)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", default=str(Path(__file__).resolve().parents[1] / "src"))
    parser.add_argument("--port", default="8765")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jingzhi-demo-") as data:
        env = dict(os.environ, PYTHONPATH=args.src, JINGZHI_DATA_DIR=data)
        env.pop("DATABASE_URL", None)
        command = ("import sys; from jingzhi.cli import main; "
                   f"sys.argv = ['jingzhi', 'demo', '--no-browser', '--port', {args.port!r}]; sys.exit(main())")
        load = os.getloadavg()[0]
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", command], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, cwd=args.src)
        assert child.stdout is not None
        lines: list[str] = []
        wall = cpu = None
        for line in child.stdout:
            lines.append(line.rstrip())
            if line.startswith("精治 Jingzhi"):  # the address: the build is done and the server is up
                wall = time.perf_counter() - started
                fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
                cpu = sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
                break
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    built = [line for line in lines if "built" in line]
    print(json.dumps({"src": args.src, "wall_seconds": round(wall, 1) if wall else None,
                      "cpu_seconds": round(cpu, 1) if cpu is not None else None,
                      "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
                      "summary": built[-1] if built else lines[-5:]}, ensure_ascii=False))
    return 0 if wall else 1


if __name__ == "__main__":
    raise SystemExit(main())
