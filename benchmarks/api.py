"""What the REST API and Open311 cost per request, on the demo city in a fresh SQLite file.

Builds the demo city (default 3,000 cases, through the real services), then times requests made
in-process with Django's test client (no network, no server): the case list (a page of 50) as a
dispatcher, walking every page of the list by cursor, one case with its timeline, creating a case
(and its idempotent retry), an Open311 POST, and Open311 GET requests.xml; and, as the city leader, the
campaign list (with every campaign's status computed), one campaign with its indicators, its sub-items and a
page of its weekly reports. Prints one JSON line of median and p95 milliseconds and queries per request.

Usage: python benchmarks/api.py [--cases N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(runs: int, call: Callable[[int], Any]) -> dict[str, float]:
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("DATABASE_URL", None)
        os.environ["JINGZHI_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
        os.environ["JINGZHI_API_RATE_KEY"] = "1000000/min"  # measure the work, not the throttle
        os.environ["JINGZHI_API_RATE_ANON"] = "1000000/min"
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        from jingzhi.api.services import apikey_create
        from jingzhi.campaigns.models import Campaign
        from jingzhi.cases.models import Case
        from jingzhi.demo.loader import load_demo
        from jingzhi.org.models import Division, User
        from jingzhi.taxonomy.models import Category

        settings.ALLOWED_HOSTS = ["testserver"]
        setup_test_environment()
        call_command("migrate", verbosity=0)
        load_demo(password="Benchmark-only1", cases=args.cases)
        dispatcher = User.objects.filter(role="dispatcher", is_active=True).order_by("pk").first()
        _key, secret = apikey_create(name="bench-dispatcher", actor=None, user=dispatcher)
        _key, intake = apikey_create(name="bench-operator", actor=None, role="operator")
        rest = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
        operator = Client(HTTP_AUTHORIZATION=f"Bearer {intake}")
        public = Client()
        service = Category.objects.filter(is_public=True, children__isnull=True).order_by("pk").first()
        division = Division.objects.filter(level="county").order_by("code").first()
        assert service is not None and division is not None
        numbers = list(Case.objects.order_by("-created_at").values_list("number", flat=True)[: args.runs])

        def ok(response: Any) -> None:
            assert response.status_code in (200, 201), (response.status_code, response.content[:300])

        result: dict[str, Any] = {"cases": Case.objects.count()}
        ok(rest.get("/api/v1/cases/"))  # warm up: the key's first use is stamped once
        result["list_page_50"] = _timed(args.runs, lambda i: ok(rest.get("/api/v1/cases/")))
        result["list_filtered"] = _timed(args.runs, lambda i: ok(rest.get("/api/v1/cases/", {"status": "open", "text": "供暖"})))
        with CaptureQueriesContext(connection) as ctx:
            ok(rest.get("/api/v1/cases/"))
        result["list_queries"] = len(ctx.captured_queries)

        def walk(_i: int) -> None:
            url, pages = "/api/v1/cases/?page_size=200", 0
            while url:
                body = rest.get(url).json()
                pages += 1
                url = body["next"]
            result["walk_pages"] = pages

        result["walk_all_pages_200"] = _timed(3, walk)
        result["detail_with_timeline"] = _timed(args.runs, lambda i: ok(rest.get(f"/api/v1/cases/{numbers[i % len(numbers)]}/")))
        new = {"kind": "complaint", "title": "路灯不亮", "content": "小区门口路灯坏了。", "division": division.code,
               "requester_phone": "13812345678"}
        result["create"] = _timed(args.runs, lambda i: ok(operator.post(
            "/api/v1/cases/", json.dumps(new), content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"bench-{i}")))
        result["create_retry"] = _timed(args.runs, lambda i: ok(operator.post(
            "/api/v1/cases/", json.dumps(new), content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"bench-{i}")))
        form = {"api_key": intake, "service_code": str(service.pk), "lat": "42.29", "long": "123.84", "description": "路灯坏了"}
        result["open311_post"] = _timed(args.runs, lambda i: ok(public.post("/open311/v2/requests.json", form)))
        result["open311_get_requests_xml"] = _timed(args.runs, lambda i: ok(public.get("/open311/v2/requests.xml")))
        result["open311_get_services_json"] = _timed(args.runs, lambda i: ok(public.get("/open311/v2/services.json")))
        leader = User.objects.filter(role="leader", division__parent__isnull=True, is_active=True).order_by("pk").first()
        _key, lead = apikey_create(name="bench-leader", actor=None, user=leader)
        board = Client(HTTP_AUTHORIZATION=f"Bearer {lead}")
        flagship = Campaign.objects.filter(kind="campaign").order_by("pk").first()
        assert flagship is not None
        base = f"/api/v1/campaigns/{flagship.pk}"
        ok(board.get("/api/v1/campaigns/"))
        result["campaigns"] = Campaign.objects.count()
        result["campaign_list"] = _timed(args.runs, lambda i: ok(board.get("/api/v1/campaigns/")))
        result["campaign_detail"] = _timed(args.runs, lambda i: ok(board.get(f"{base}/")))
        result["campaign_sub_items"] = _timed(args.runs, lambda i: ok(board.get(f"{base}/sub-items/")))
        result["campaign_reports_page"] = _timed(args.runs, lambda i: ok(board.get(f"{base}/reports/")))
        with CaptureQueriesContext(connection) as ctx:
            ok(board.get("/api/v1/campaigns/"))
        result["campaign_list_queries"] = len(ctx.captured_queries)
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
