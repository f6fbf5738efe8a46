"""Reads on a second machine (issue 12): the router, read-your-writes and the lag bound, against a real replica.

`scripts/test.sh` starts a PostgreSQL streaming replica of the test server (`pg_basebackup -R`, a second cluster on
a free port) for the PostgreSQL run and names it in JINGZHI_TEST_REPLICA_URL. The database Django creates for the
tests is streamed to it like any other, so these tests read the same rows through real replication. With CI=true a
missing replica is a failure on PostgreSQL, never a skip.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dj_database_url
import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from tests import factories as f
from tests.factories import CaseFactory

from jingzhi.core import replicas
from jingzhi.core.routers import ReplicaRouter
from jingzhi.org.models import User

REPLICA_URL = os.environ.get("JINGZHI_TEST_REPLICA_URL", "")


@dataclass
class Town:
    city: Any
    operator: Any
    supervisor: Any


@pytest.fixture
def town(db: None) -> Town:
    city = f.division("211200", "铁岭市", "city")
    hotline = f.unit("SZX", "市民服务热线中心", city, kind="hotline")
    return Town(city=city, operator=f.user("operator", hotline, username="operator"),
                supervisor=f.user("supervisor", hotline, city, username="supervisor"))


def _new_case(town: Town, title: str) -> Any:
    return CaseFactory(actor=town.operator, division_code=town.city.code, title=title)


ALIAS = "replica_test"  # settings_test.py: a mirror of the test database until a test points it elsewhere
# Real commits (the replica must see them); the alias is one the test case knows, and as a mirror it is not flushed.
on_replica = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


@pytest.fixture
def replica_alias(settings: Any) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Point the test alias at another server for this test and make it the configured replica."""
    conn = connections[ALIAS]
    original = conn.settings_dict

    def point(config: dict[str, Any]) -> None:
        conn.close()
        conn.settings_dict = {**original, **config, "TEST": original["TEST"]}
        settings.JINGZHI_REPLICA_ALIASES = [ALIAS]

    replicas.forget_health()
    yield point
    replicas.forget_health()
    conn.close()
    conn.settings_dict = original


@pytest.fixture
def real_replica(replica_alias: Any, settings: Any) -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("read replicas are PostgreSQL streaming replicas")
    if not REPLICA_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("JINGZHI_TEST_REPLICA_URL is not set: scripts/test.sh starts a streaming replica for the PostgreSQL run")
        pytest.skip("no streaming replica (scripts/test.sh starts one; set JINGZHI_TEST_REPLICA_URL)")
    config = dj_database_url.parse(REPLICA_URL)
    config["NAME"] = connection.settings_dict["NAME"]  # the test database, streamed like every other
    config["OPTIONS"] = {"connect_timeout": 2}
    replica_alias(config)
    settings.JINGZHI_REPLICA_CHECK_SECONDS = 0  # ask the replica on every read decision: the test moves its lag
    settings.JINGZHI_REPLICA_MAX_LAG_SECONDS = 30
    try:
        yield ALIAS
    finally:
        with connections[ALIAS].cursor() as cur:
            cur.execute("SELECT pg_wal_replay_resume()")


def _caught_up(alias: str, timeout: float = 20.0) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        target = cur.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[alias].cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cur.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")


def _listed(client: Client, case: Any) -> bool:
    """Whether the case list's search for the case's title finds it (the search box repeats the words, not the number)."""
    response = client.get(reverse("web:case_list"), {"text": case.title})
    assert response.status_code == 200
    return case.number in response.content.decode()


@on_replica
def test_search_reads_the_replica_the_author_of_a_change_reads_the_primary_and_a_lagging_replica_is_left(
    town: Town, real_replica: str, settings: Any
) -> None:
    alias = real_replica
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone()[0] is True, "JINGZHI_TEST_REPLICA_URL must name a standby, not a primary"
    _caught_up(alias)
    supervisor = town.supervisor
    client = Client()
    client.force_login(supervisor)
    _caught_up(alias)  # the session row too

    # Replay stops: what the primary writes from now on is not on the replica until it resumes.
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_wal_replay_pause()")
    case = _new_case(town, "复制延迟核对路灯不亮")
    router = ReplicaRouter()
    assert router.db_for_read(User) is None  # outside a replica-reading page: Django's default, the primary
    with replicas.replica_reads():
        assert router.db_for_read(User) == alias
    # The search page reads the replica, so the case written a moment ago on the primary is not found there yet.
    assert not _listed(client, case)

    # A change by this user (any successful POST) pins them to the primary for a few seconds: now it is found.
    response = client.post(reverse("web:notifications_read"), {"all": "1"})
    assert response.status_code == 302 and replicas.PIN_COOKIE in response.cookies
    assert _listed(client, case)
    # Without the cookie the pin by user (for API clients) still holds; without either, the replica again.
    client.cookies.pop(replicas.PIN_COOKIE)
    assert _listed(client, case)
    cache.delete(f"jz:primary:{supervisor.pk}")
    assert not _listed(client, case)

    # The replica falls further behind than the bound: reads leave it for the primary, and its status says why.
    settings.JINGZHI_REPLICA_MAX_LAG_SECONDS = 0.5
    time.sleep(1.0)
    assert _listed(client, case)
    (state,) = replicas.status()
    assert state["alias"] == alias and state["ok"] is False and state["lag_seconds"] > 0.5 and "lag" in state["reason"]

    # Replay resumes and catches up: the replica serves again and has the case.
    with connections[alias].cursor() as cur:
        cur.execute("SELECT pg_wal_replay_resume()")
    _caught_up(alias)
    settings.JINGZHI_REPLICA_MAX_LAG_SECONDS = 30
    with replicas.replica_reads():
        assert replicas.read_alias() == alias
    assert _listed(client, case)


@on_replica
def test_the_replica_is_read_only_and_nothing_is_written_or_migrated_there(town: Town, real_replica: str) -> None:
    router = ReplicaRouter()
    assert router.db_for_write(User) == "default"
    assert router.allow_migrate(real_replica, "cases") is False
    with connections[real_replica].cursor() as cur:
        cur.execute("SHOW transaction_read_only")
        assert cur.fetchone()[0] == "on"


@on_replica
def test_a_replica_that_does_not_answer_gets_no_reads_and_the_page_still_works(
    town: Town, replica_alias: Any, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("read replicas are PostgreSQL streaming replicas (the alias keeps the test database's driver)")
    # A port nothing listens on: the connection is refused at once.
    replica_alias(dj_database_url.parse("postgres://postgres@127.0.0.1:9/none") | {"OPTIONS": {"connect_timeout": 1}})
    with replicas.replica_reads():
        assert replicas.read_alias() == replicas.PRIMARY
    (state,) = replicas.status()
    assert state == {"alias": ALIAS, "ok": False, "lag_seconds": None, "reason": state["reason"]}
    assert state["reason"].startswith("unreachable")
    client = Client()
    client.force_login(town.supervisor)
    assert _listed(client, _new_case(town, "副本不可用时照常查询"))


@on_replica
def test_inside_a_write_transaction_and_for_a_pinned_request_reads_stay_on_the_primary(
    town: Town, replica_alias: Any, settings: Any
) -> None:
    from django.db import transaction

    replica_alias({})  # the mirror of the test database itself: this test is about the decision, not the replica
    replicas._health[ALIAS] = replicas.Health(time.monotonic(), True, 0.0)
    settings.JINGZHI_REPLICA_CHECK_SECONDS = 3600
    with replicas.replica_reads():
        with transaction.atomic():
            assert replicas.read_alias() == replicas.PRIMARY
        with replicas.request_scope(pinned=True, pin_check=None):
            assert replicas.read_alias() == replicas.PRIMARY
        with replicas.request_scope(pinned=False, pin_check=lambda: True):
            assert replicas.read_alias() == replicas.PRIMARY
        with replicas.request_scope(pinned=False, pin_check=lambda: False):
            assert replicas.read_alias() == ALIAS


def test_the_replicas_command_reports_each_replica(capsys: Any) -> None:
    from jingzhi.cli import main

    assert main(["replicas"]) == 0
    assert "no read replicas configured" in capsys.readouterr().out


@on_replica
def test_the_replicas_command_names_a_replica_that_is_out(town: Town, replica_alias: Any, capsys: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("read replicas are PostgreSQL streaming replicas")
    import json

    from jingzhi.core.cli import cmd_replicas

    replica_alias(dj_database_url.parse("postgres://postgres@127.0.0.1:9/none") | {"OPTIONS": {"connect_timeout": 1}})
    assert cmd_replicas(type("Args", (), {"data_dir": None})()) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["ok"] is False
