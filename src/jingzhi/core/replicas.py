"""Reads on a second machine: which database a read goes to (issue 12, docs/scaling.md).

The primary takes every write. Pages that only read large amounts — dashboards, rankings, reports, exports and
search — declare it (`@reads_from_replica`, or `with replica_reads():`), and the router
(`jingzhi.core.routers.ReplicaRouter`) sends their queries to a streaming replica, if one is configured
(`JINGZHI_DATABASE_REPLICA_URLS`), healthy and not too far behind. Everything else reads the primary.

Two rules keep a user from seeing an older state than the one they just made:

* **Read your writes.** A request that changed something (any method but GET/HEAD/OPTIONS) pins its user to the
  primary for `JINGZHI_READ_YOUR_WRITES_SECONDS` (default 5): a cookie for browsers and a cache entry per user
  (shared between processes in production) for API clients that keep no cookies.
* **Bounded lag.** Each process asks each replica at most every `JINGZHI_REPLICA_CHECK_SECONDS` (default 5)
  how far its replay is behind; a replica further behind than `JINGZHI_REPLICA_MAX_LAG_SECONDS` (default 10), or
  one that does not answer, gets no reads until a later check finds it well again. With no healthy replica, reads go to
  the primary: a replica is an optimisation, never a dependency.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "jz_primary"

_intent: ContextVar[bool] = ContextVar("jingzhi_replica_intent", default=False)
_pinned: ContextVar[bool] = ContextVar("jingzhi_primary_pinned", default=False)
_pin_check: ContextVar[Callable[[], bool] | None] = ContextVar("jingzhi_pin_check", default=None)
_turn = itertools.count()

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Health:
    checked_at: float
    ok: bool
    lag_seconds: float | None
    reason: str = ""


_health: dict[str, Health] = {}
_health_lock = threading.Lock()


def aliases() -> list[str]:
    """The replica aliases settings.py made from JINGZHI_DATABASE_REPLICA_URLS (replica1, replica2, …)."""
    return [a for a in getattr(settings, "JINGZHI_REPLICA_ALIASES", ()) if a in connections.settings]


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def lag_of(alias: str) -> float:
    """Seconds the replica's replay is behind; 0 when it has replayed all it received. Raises if it does not answer."""
    with connections[alias].cursor() as cursor:
        # On a standby: received = replayed means nothing to catch up on, whatever the last commit's age. A server
        # that is not in recovery (a primary listed by mistake, a promoted standby) has no lag to speak of.
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
            " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END"
        )
        row = cursor.fetchone()
    return max(0.0, float(row[0])) if row else 1e9


def check(alias: str, *, now: float | None = None) -> Health:
    """Ask the replica now and remember the answer for this process."""
    at = time.monotonic() if now is None else now
    try:
        lag = lag_of(alias)
    except DatabaseError as exc:
        connections[alias].close()  # a broken connection is not reused by the next check
        health = Health(at, False, None, f"unreachable: {exc.__class__.__name__}")
    else:
        bound = _setting("JINGZHI_REPLICA_MAX_LAG_SECONDS", 10)
        health = Health(at, lag <= bound, lag, "" if lag <= bound else f"lag {lag:.1f} s > {bound:g} s")
    previous = _health.get(alias)
    with _health_lock:
        _health[alias] = health
    if previous is None or previous.ok != health.ok:
        log = logger.info if health.ok else logger.warning
        log("read replica %s %s%s", alias, "in service" if health.ok else "out of service", f" ({health.reason})" if health.reason else "")
    return health


def healthy(alias: str) -> bool:
    known = _health.get(alias)
    if known is None or time.monotonic() - known.checked_at >= _setting("JINGZHI_REPLICA_CHECK_SECONDS", 5):
        known = check(alias)
    return known.ok


def forget_health() -> None:
    """Drop what this process knows of the replicas (tests, and after a configuration change)."""
    with _health_lock:
        _health.clear()


def status() -> list[dict[str, Any]]:
    """Each replica's last known state, for `jingzhi replicas` and the operations page."""
    out = []
    for alias in aliases():
        h = check(alias)
        out.append({"alias": alias, "ok": h.ok, "lag_seconds": h.lag_seconds, "reason": h.reason})
    return out


def _pinned_now() -> bool:
    if _pinned.get():
        return True
    probe = _pin_check.get()
    return bool(probe and probe())


def read_alias() -> str:
    """Where a read-only query of a replica-reading page goes now."""
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY  # inside a write transaction every read must see that transaction
    candidates = aliases()
    if not candidates or _pinned_now():
        return PRIMARY
    well = [a for a in candidates if healthy(a)]
    if not well:
        return PRIMARY
    return well[next(_turn) % len(well)]


def wants_replica() -> bool:
    return _intent.get()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads may go to a replica (the router decides which, if any)."""
    token = _intent.set(True)
    try:
        yield
    finally:
        _intent.reset(token)


def reads_from_replica(view: F) -> F:
    """For views that only read: dashboards, rankings, reports, exports, search."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def request_scope(*, pinned: bool, pin_check: Callable[[], bool] | None) -> Iterator[None]:
    """Set by the middleware for one request: pinned by cookie, or by a later look-up of the user's pin."""
    t1, t2 = _pinned.set(pinned), _pin_check.set(pin_check)
    try:
        yield
    finally:
        _pinned.reset(t1)
        _pin_check.reset(t2)
