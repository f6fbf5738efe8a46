"""Test set-up shared by the whole suite: the database check, a small city, and people in every role."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from tests import factories as f


def pytest_configure(config: pytest.Config) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import urllib.parse

        import psycopg

        # Check the server through its maintenance database: the test database is created fresh by Django.
        server = urllib.parse.urlsplit(url.replace("postgres://", "postgresql://", 1))._replace(path="/postgres")
        try:
            psycopg.connect(urllib.parse.urlunsplit(server), connect_timeout=5).close()
        except psycopg.OperationalError as e:  # With CI=true a missing PostgreSQL is a failure, never a skip.
            pytest.exit(f"PostgreSQL is not reachable at DATABASE_URL: {e}", returncode=3)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters (issue 10) live in the cache: every test starts with a full budget."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class City:
    """A two-county city with a hotline centre, two departments and a county government, and one user per role."""

    city: object
    county_a: object
    county_b: object
    hotline: object
    housing: object
    env: object
    county_gov: object
    operator: object
    dispatcher: object
    handler: object
    unit_head: object
    env_handler: object
    county_handler: object
    supervisor: object
    leader: object
    county_leader: object
    admin: object


@pytest.fixture
def city(db: None) -> City:
    city = f.division("211200", "铁岭市", "city")
    county_a = f.division("211223", "西丰县", "county", city)
    county_b = f.division("211282", "开原市", "county", city)
    hotline = f.unit("SZX", "市民服务热线中心", city, kind="hotline")
    housing = f.unit("ZJJ", "市住房和城乡建设局", city)
    env = f.unit("STHJ", "市生态环境局", city)
    county_gov = f.unit("XFX", "西丰县人民政府", county_a, kind="county_government")
    return City(
        city=city, county_a=county_a, county_b=county_b, hotline=hotline, housing=housing, env=env, county_gov=county_gov,
        operator=f.user("operator", hotline, username="operator"),
        dispatcher=f.user("dispatcher", hotline, username="dispatcher"),
        handler=f.user("handler", housing, username="handler"),
        unit_head=f.user("unit_head", housing, username="unithead"),
        env_handler=f.user("handler", env, username="h_env"),
        county_handler=f.user("handler", county_gov, username="h_xf"),
        supervisor=f.user("supervisor", hotline, city, username="supervisor"),
        leader=f.user("leader", None, city, username="leader"),
        county_leader=f.user("leader", None, county_b, username="leader_ky"),
        admin=f.user("admin", None, city, username="admin"),
    )


@pytest.fixture(autouse=True, scope="session")
def _audit_rows_go_with_the_test_database_flush() -> object:
    """Transactional tests end with a flush; on SQLite that is a DELETE, which the audit log's trigger refuses
    outside `purge_permit` (PostgreSQL flushes with TRUNCATE, which the row trigger does not see)."""
    from django.core.management.commands import flush

    from jingzhi.core.audit import purge_permit

    original = flush.Command.handle

    def handle(self: object, **options: object) -> None:
        with purge_permit():
            original(self, **options)  # type: ignore[arg-type]

    flush.Command.handle = handle  # type: ignore[method-assign]
    yield
    flush.Command.handle = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _postgresql_flushes_by_delete() -> object:
    """A transactional test's flush on PostgreSQL: DELETE from every table instead of Django's TRUNCATE.

    Why: TRUNCATE gives each of the 135 tables and their indexes new files, which took about 4 s a flush on this
    machine; the 200-odd transactional tests (live servers, two connections, on-commit work) spent a third of the
    PostgreSQL run in their teardowns. DELETE of the few rows a test leaves takes about 0.1 s. Django's foreign keys
    are DEFERRABLE INITIALLY DEFERRED, so the order of the deletes does not matter inside the flush's transaction;
    the audit log's trigger is opened for it as for the retention purge (jingzhi.core.audit). Sequences are not
    reset, as with Django's own flush (reset_sequences=False); a flush that asks for it keeps TRUNCATE.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: DatabaseOperations, style: object, tables: list[str], *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        if reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            "SET LOCAL jingzhi.audit_purge = 'on'",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
            "SET LOCAL jingzhi.audit_purge = 'off'",
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _reset_language() -> object:
    """A request with Accept-Language leaves its language active in the thread; start every test afresh."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
