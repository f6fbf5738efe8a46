"""How many password guesses a minute one client gets checked at /login/, without and with the lockout (issue 10).

A fresh SQLite file with the production settings (the real, slow password hasher) and one user. For
`--seconds` each (default 60), a loop posts wrong passwords for that user from one address with Django's
test client (in-process: no network, no server), first with django-axes switched off (the code before
issue 10), then on. It counts the guesses sent and the guesses that reached a real password check
(User.check_password), and prints one JSON line with both per minute.

Usage: python benchmarks/login_guessing.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("DATABASE_URL", None)
        os.environ["JINGZHI_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import override_settings, setup_test_environment

        setup_test_environment()
        import logging

        logging.disable(logging.WARNING)  # axes logs every failure; the JSON line is the output
        call_command("migrate", verbosity=0)
        from axes.models import AccessAttempt

        from jingzhi.org.models import Role, User
        from jingzhi.org.services import division_upsert, unit_upsert, user_upsert

        city = division_upsert(actor=None, code="211200", name="铁岭市", level="city", parent=None)
        unit = unit_upsert(actor=None, code="SZX", name="市民服务热线中心", division=city, kind="hotline")
        user_upsert(actor=None, username="dispatcher", role=Role.DISPATCHER, unit=unit, password="Right-Password-2027")

        checks = 0
        original = User.check_password

        def counting(self: Any, raw_password: str | None) -> bool:
            nonlocal checks
            checks += 1
            return original(self, raw_password)

        User.check_password = counting  # type: ignore[method-assign]

        def run(enabled: bool) -> dict[str, Any]:
            nonlocal checks
            AccessAttempt.objects.all().delete()
            checks = 0
            sent = locked = 0
            client = Client(REMOTE_ADDR="10.0.0.66")
            with override_settings(AXES_ENABLED=enabled):
                started = time.perf_counter()
                while time.perf_counter() - started < args.seconds:
                    response = client.post("/login/", {"username": "dispatcher", "password": f"guess-{sent:06d}"})
                    sent += 1
                    locked += response.status_code == 429
                elapsed = time.perf_counter() - started
            per_minute = 60 / elapsed
            return {"guesses_sent_per_min": round(sent * per_minute, 1),
                    "password_checks_per_min": round(checks * per_minute, 1),
                    "password_checks": checks, "refused_as_locked": locked, "seconds": round(elapsed, 1)}

        before = run(False)
        after = run(True)
        print(json.dumps({
            "benchmark": "login_guessing",
            "hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": settings.AXES_COOLOFF_TIME.total_seconds() / 60,
            "before": before,
            "after": after,
            # Sustained, the lockout allows failure_limit checks per cool-off period from one address.
            "after_sustained_checks_per_hour": round(settings.AXES_FAILURE_LIMIT * 60 / (settings.AXES_COOLOFF_TIME.total_seconds() / 60), 1),
        }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
