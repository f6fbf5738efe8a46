"""How many guesses a minute get a real answer at the public lookup: without limits (as before issue 10) and with.

Each half starts the real server (waitress) on loopback with a fresh SQLite database and one case, then one
client guesses the phone suffix of that case — and of further made-up numbers, as a walker would — for
`--seconds` seconds. "Answered" means the page answered the guess (found / not found), not a 429 refusal.
Without limits the rates are set to 10^9 per window, which is what the code before issue 10 amounted to.

Prints one JSON line. Usage: python benchmarks/lookup_guessing.py [--seconds 25]   (the whole run stays under 60 s)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker(mode: str, seconds: float) -> dict[str, object]:
    tmp = tempfile.mkdtemp(prefix="jz-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("JINGZHI_CACHE_URL", None)  # the embedded mode: the database cache
    os.environ.update({"JINGZHI_DATA_DIR": tmp, "DJANGO_SETTINGS_MODULE": "jingzhi.settings", "JINGZHI_LOG_LEVEL": "ERROR"})
    if mode == "unlimited":
        os.environ.update({"JINGZHI_RATE_PUBLIC_LOOKUP": "1000000000/min", "JINGZHI_RATE_PUBLIC_LOOKUP_NUMBER": "1000000000/hour"})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import requests
    from django.core.management import call_command
    from waitress.server import create_server

    from jingzhi.cases import numbers
    from jingzhi.cases.models import Channel
    from jingzhi.cases.services import case_create
    from jingzhi.org.services import division_upsert
    from jingzhi.wsgi import application

    call_command("migrate", verbosity=0)
    division_upsert(actor=None, code="211200", name="铁岭市", level="city", parent=None)
    case, _created = case_create(actor=None, channel=Channel.WEB, kind="help", title="楼道灯坏了", content="三单元楼道灯坏了。",
                                 division_code="211200", requester_phone="13700002468")
    port = _free_port()
    server = create_server(application, host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}/public/lookup/"
    session = requests.Session()
    page = session.get(url, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answered = refused = found = 0
    base = case.number
    started = time.perf_counter()
    i = 0
    while time.perf_counter() - started < seconds:
        # Every other guess walks on to a neighbouring number, as the assessor's script did.
        number = base if i % 2 == 0 else numbers.compose("TL", case.created_at.date(), 1 + i, rand=i % 1000)
        r = session.post(url, {"csrfmiddlewaretoken": token, "number": number, "phone_last4": f"{i % 10000:04d}"},
                         headers={"Referer": url}, timeout=10)
        if r.status_code == 429:
            refused += 1
        elif r.status_code == 200:
            answered += 1
            found += "No request matches" not in r.text and "没有找到" not in r.text and case.title in r.text
        i += 1
    elapsed = time.perf_counter() - started
    server.close()
    return {"mode": mode, "seconds": round(elapsed, 1), "tries": i, "answered": answered, "refused": refused, "found": found,
            "answered_per_min": round(answered * 60 / elapsed, 1), "tries_per_min": round(i * 60 / elapsed, 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--worker", choices=["unlimited", "limited"])
    args = parser.parse_args()
    seconds = min(args.seconds, 28.0)  # two halves plus start-up stay within a minute
    if args.worker:
        print(json.dumps(worker(args.worker, seconds)))
        return 0
    out: dict[str, object] = {}
    for mode in ("unlimited", "limited"):
        run = subprocess.run([sys.executable, __file__, "--worker", mode, "--seconds", str(seconds)],
                             capture_output=True, text=True, check=True, timeout=120)
        out[mode] = json.loads(run.stdout.strip().splitlines()[-1])
    print(json.dumps({
        "before_answered_per_min": out["unlimited"]["answered_per_min"],  # type: ignore[index]
        "after_answered_per_min": out["limited"]["answered_per_min"],  # type: ignore[index]
        "unlimited": out["unlimited"], "limited": out["limited"],
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
