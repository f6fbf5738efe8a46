"""The pieces around the figures: the replica router, the CLI sub-command, the admin page of the policy, the nav."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jingzhi.core.routers import ReplicaRouter
from jingzhi.metrics import engine

pytestmark = pytest.mark.django_db


def test_without_replicas_every_read_is_on_the_primary() -> None:
    from jingzhi.core import replicas

    assert engine.read_db() == "default"
    with replicas.replica_reads():
        assert engine.read_db() == "default"
    router = ReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica1", "cases") is False
    assert router.allow_migrate("default", "cases") is True


def test_cli_has_the_metrics_command() -> None:
    from jingzhi.cli import build_parser

    args = build_parser().parse_args(["metrics", "rebuild", "--start", "2024-10-01", "--end", "2024-10-31"])
    assert (args.action, args.start, args.end) == ("rebuild", "2024-10-01", "2024-10-31")


def test_policy_in_the_admin(city: Any) -> None:
    from jingzhi.org.models import User

    admin = User.objects.create_superuser(username="root5", password="test-pass-123", email="r@example.com")
    c = Client()
    c.force_login(admin)
    engine.policy()
    assert c.get("/admin/metrics/metricpolicy/").status_code == 200
    assert c.get("/admin/metrics/metricpolicy/add/").status_code == 403  # one row only


def test_nav_shows_the_dashboards(city: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    c = Client()
    c.force_login(city.leader)
    html = c.get("/cases/").content.decode()
    assert 'href="/metrics/dashboard/"' in html
    c.force_login(city.unit_head)
    assert 'href="/metrics/unit/"' in c.get("/cases/").content.decode()
