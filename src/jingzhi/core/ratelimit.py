"""Rate limits as policy: how often an address (or a case number, or a key) may knock on a door.

One module for every anonymous door: the public lookup, the public submission, wrong API keys. The
limits are data (`settings.JINGZHI_RATE_LIMITS`, each a list of "N/period" rates); the counters live in
the shared cache (`settings.CACHES["default"]`: the database cache in the embedded mode, Redis in
production), so every web process and every worker sees the same counts.

Fixed windows: the count for "10/min" is kept per calendar minute of the epoch. At a window's edge a
client may get up to twice the rate in a short burst; that is the price of one cache key per window
and is well inside what the limits protect against (thousands of guesses a minute).

Refusals are audited once per window and door (`ratelimit.refused`), lockouts once each
(`ratelimit.locked`): an attacker must not be able to write a row to the audit log per request.
"""

from __future__ import annotations

import base64
import hashlib
import pickle
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhi.core import clientip
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import RateLimited

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


def parse_rate(text: str) -> Rate:
    """"10/min", "50/hour", "5/10min" → Rate. Raises ValueError on anything else."""
    m = _RATE.match(text or "")
    if m is None or int(m.group(1)) < 1:
        raise ValueError(f"not a rate: {text!r} (write N/s, N/min, N/hour or N/day)")
    return Rate(int(m.group(1)), int(m.group(2) or 1) * _UNIT_SECONDS[m.group(3)])


def rates_for(door: str) -> list[Rate]:
    rates: list[str] = settings.JINGZHI_RATE_LIMITS.get(door, [])
    return [parse_rate(r) for r in rates]


def policy(name: str) -> int:
    """A number of the policy: settings.JINGZHI_<name> (e.g. PUBLIC_LOOKUP_LOCK_SECONDS)."""
    return int(getattr(settings, f"JINGZHI_{name}"))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the tightest exceeded window ends
    count: int = 0


ALLOWED = Verdict(True)


def client_ip(request: HttpRequest) -> str:
    """The caller's address as core.clientip reads it ("unknown" when the socket gave none)."""
    return clientip.client_ip(request) or "unknown"


def _ident(value: str) -> str:
    # Addresses and case numbers are not kept in the cache in clear; the hash also keeps keys short and safe.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _incr(key: str, timeout: int) -> int:
    """Count one in `key`, which expires `timeout` seconds from now (the end of its window).

    Redis increments atomically and keeps the key's expiry. The database cache's incr() is a get and a set that
    would reset the expiry to the default, so it is done here as get + set with the window's expiry, inside a
    transaction (SQLite's BEGIN IMMEDIATE serialises it in the embedded mode; on PostgreSQL two requests in the
    same instant may count once — use Redis there).
    """
    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        if cache.add(key, 1, timeout):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
            return 1
    db = router.db_for_write(backend.cache_model_class)
    with transaction.atomic(using=db):
        n = int(cache.get(key) or 0) + 1
        if n == 1 or not _rewrite_count(backend, db, key, n):
            cache.set(key, n, timeout)  # the window's first knock: the cache's own insert, with its expiry
        return n


def _rewrite_count(backend: DatabaseCache, db: str, key: str, n: int) -> bool:
    """Write the count of a window's row in place, keeping its expiry: one UPDATE (False: the row is gone).

    The cache's own set() takes five statements (a COUNT for its culling, a savepoint, a SELECT, the UPDATE, the
    release), on every API request through the key throttle (issue 12). The value is encoded as the database cache
    encodes it (base64 of a pickle), so its get() reads it back unchanged.
    """
    connection = connections[db]
    q = connection.ops.quote_name
    table = backend._table  # type: ignore[attr-defined]  # the table the backend was configured with
    value = base64.b64encode(pickle.dumps(n, backend.pickle_protocol)).decode("latin1")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(table)} SET {q('value')} = %s WHERE {q('cache_key')} = %s",  # noqa: S608
            [value, backend.make_and_validate_key(key)],
        )
        return bool(cursor.rowcount)


def _windows(door: str, ident: str, now: float, rates: list[Rate] | None = None) -> list[tuple[Rate, str, int]]:
    out = []
    for rate in rates_for(door) if rates is None else rates:
        index = int(now // rate.seconds)
        reset = (index + 1) * rate.seconds
        out.append((rate, f"rl:{door}:{rate.seconds}:{_ident(ident)}:{index}", max(1, int(reset - now + 0.999))))
    return out


def hit(
    door: str, ident: str, *, request: HttpRequest | None = None, rates: list[Rate] | None = None, audit: bool = True
) -> Verdict:
    """Count one knock of `ident` on `door`; refused when any of the door's rates (or `rates`) is exceeded."""
    now = time.time()
    refused: list[tuple[Rate, int, int]] = []
    for rate, key, remaining in _windows(door, ident, now, rates):
        n = _incr(key, remaining + 1)
        if n > rate.count:
            refused.append((rate, remaining, n))
    if not refused:
        return ALLOWED
    rate, wait, n = max(refused, key=lambda r: r[1])
    if audit and any(n == r.count + 1 for r, _w, n in refused):  # the first refusal of this window: one audit row
        audit_record(
            actor=None, action="ratelimit.refused", object_type="door", object_id=door,
            detail={"ident": ident[:64], "rate": str(rate), "retry_after": wait, **_request_detail(request)},
        )
    return Verdict(False, wait, n)


def peek(door: str, ident: str, *, rates: list[Rate] | None = None) -> Verdict:
    """Would the next knock be refused? Counts nothing."""
    now = time.time()
    windows = _windows(door, ident, now, rates)
    counts = cache.get_many([key for _r, key, _w in windows])
    waits = [remaining for rate, key, remaining in windows if int(counts.get(key) or 0) >= rate.count]
    return Verdict(False, max(waits)) if waits else ALLOWED


def locked(door: str, ident: str) -> int:
    """Seconds left on a lockout of `ident` at `door`, or 0."""
    until = cache.get(f"rl:lock:{door}:{_ident(ident)}")
    left = int(float(until) - time.time() + 0.999) if until else 0
    return max(0, left)


def lock(door: str, ident: str, seconds: int, *, request: HttpRequest | None = None) -> None:
    """Lock `ident` out of `door` for `seconds`; audited."""
    cache.set(f"rl:lock:{door}:{_ident(ident)}", time.time() + seconds, seconds)
    audit_record(
        actor=None, action="ratelimit.locked", object_type="door", object_id=door,
        detail={"ident": ident[:64], "seconds": seconds, **_request_detail(request)},
    )


def _request_detail(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": client_ip(request), "path": request.path[:200]}


def enforce(door: str, ident: str, *, request: HttpRequest | None = None, message: str | Promise = "") -> None:
    """Count one knock and raise RateLimited when the door refuses it."""
    verdict = hit(door, ident, request=request)
    if not verdict.allowed:
        raise RateLimited(message or too_many_message(verdict.retry_after), retry_after=verdict.retry_after)


def too_many_message(seconds: int) -> str:
    return _("Too many attempts. Please try again in %(wait)s.") % {"wait": wait_text(seconds)}


def wait_text(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
