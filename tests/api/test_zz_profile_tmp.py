import cProfile, json, pstats, time, resource
from typing import Any
import pytest
from tests.api.test_rest_cases import NEW
pytestmark = pytest.mark.django_db(transaction=True)

@pytest.fixture(autouse=True)
def _prod(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JINGZHI_REFCACHE = True
    settings.DEBUG = False

def test_profile(city: Any, api: Any) -> None:
    client = api(city.operator)
    body = json.dumps(NEW)
    for i in range(20):
        client.post("/api/v1/cases/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"w{i}")
    n = 300
    c0 = time.process_time(); w0 = time.perf_counter()
    for i in range(n):
        assert client.post("/api/v1/cases/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"m{i}").status_code == 201
    print("\nCPU ms/create", (time.process_time() - c0) / n * 1000, "wall", (time.perf_counter() - w0) / n * 1000)
    pr = cProfile.Profile(time.process_time); pr.enable()
    for i in range(n):
        client.post("/api/v1/cases/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"p{i}")
    pr.disable()
    pr.dump_stats("/tmp/create.prof")
