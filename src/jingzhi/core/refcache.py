"""Reference data kept in each process: read once, reloaded after any process changes it (issue 12).

Every create needs the city's time-limit rules, its working calendar and the division it names. They change a few
times a year and are read on every request, so each process keeps them. A change anywhere — through the service
that makes it — calls `changed()`, which replaces a version token in the shared cache (Redis or the database cache
in production); a process that finds a token different from the one its copy was made under reloads. One cache
read per use instead of one database query per table; when the shared cache forgets the token (a restart, an
eviction) the next reader draws a new one and every process reloads: forgetting costs a reload, never staleness.

Within one request the token is read once (issue 12): a REST create uses the rules, the calendar and a division,
which were three reads of the shared cache (three statements with the database cache). The request works on the
reference data as they were when it first used them; outside requests (task workers, commands) every use reads it.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

T = TypeVar("T")
_KEY = "jingzhi:refdata:version"
_lock = threading.Lock()
_copies: dict[str, tuple[str, Any]] = {}
# This thread's request, if it is serving one: {"token": the version read first in it, or absent}.
_request = threading.local()


def _request_starts(**_kwargs: Any) -> None:
    _request.memo = {}


def _request_ends(**_kwargs: Any) -> None:
    _request.memo = None


request_started.connect(_request_starts, dispatch_uid="jingzhi.refcache.request_started")
request_finished.connect(_request_ends, dispatch_uid="jingzhi.refcache.request_finished")


def _version() -> str:
    memo: dict[str, str] | None = getattr(_request, "memo", None)
    if memo is not None and "token" in memo:
        return memo["token"]
    token = cache.get(_KEY)
    if token is None:
        token = secrets.token_hex(8)
        # Another process may have drawn one a moment ago: keep theirs, so both reload once, not forever.
        if not cache.add(_KEY, token, timeout=None):
            token = cache.get(_KEY) or token
    if memo is not None:
        memo["token"] = str(token)
    return str(token)


def get(name: str, load: Callable[[], T]) -> T:
    """This process's copy of `name`, loaded with `load()` when missing or made under an older version."""
    if not getattr(settings, "JINGZHI_REFCACHE", True):
        return load()
    version = _version()
    held = _copies.get(name)
    if held is not None and held[0] == version:
        return held[1]  # type: ignore[no-any-return]
    value = load()
    with _lock:
        _copies[name] = (version, value)
    return value


def changed() -> None:
    """Reference data changed: every process reloads on its next use (this one at once)."""
    cache.set(_KEY, secrets.token_hex(8), timeout=None)
    memo = getattr(_request, "memo", None)
    if memo is not None:
        memo.pop("token", None)  # a change made by this request is seen by the rest of it
    with _lock:
        _copies.clear()


def changing() -> None:
    """Called by a service inside the transaction that changes reference data: this thread reads the new rows at
    once, and every other process after the commit (a rolled-back change is never announced)."""
    forget()
    transaction.on_commit(changed)


def forget() -> None:
    """Drop this process's copies only (tests)."""
    memo = getattr(_request, "memo", None)
    if memo is not None:
        memo.pop("token", None)
    with _lock:
        _copies.clear()
