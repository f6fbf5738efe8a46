"""Set-wise evaluation: each condition over every enterprise at once, as a boolean array (numpy).

A full match is 10,000 enterprises × 500 policies × 2–4 conditions: calling `rules.holds` for each of ~15 million
(enterprise, condition) pairs costs tens of seconds in Python. Here a field's facts are first reduced to their
*distinct* values (a county has a few hundred industry codes, a few dozen tag sets, seven divisions, two
dishonesty states): each enterprise carries the index of its distinct fact. A condition is then decided once
per distinct fact — with `rules.holds` itself, so the meaning cannot drift from one-by-one evaluation — and the
answers are spread over the enterprises by one array lookup. Numbers have nearly as many distinct values as
enterprises, so for `gte` / `lte` the distinct values are sorted once per field (as Decimals: exact, no floats)
and a threshold is a bisection. A policy's enterprises are classified by counting failed conditions per
enterprise: 0 → qualified, 1 → near (the one failing condition is known per enterprise), more → no row.

The near-miss explanation (`rules.trace_row`: the value, its source and date, the gap in words) depends only on
the condition and the fact, so it is built once per distinct (condition, fact) and shared by every enterprise
with that fact — together with its JSON text, which is what a bulk insert writes.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from jingzhi.matching.rules import Fact, holds, trace_row

NUMERIC_OPS = ("gte", "lte")


def _hashable(value: Any) -> Any:
    if isinstance(value, list | set | frozenset | tuple):
        return tuple(sorted(value)) if isinstance(value, set | frozenset) else tuple(value)
    return value


class Columns:
    """The facts of many enterprises, one column per field, evaluated condition by condition."""

    def __init__(self, facts: dict[int, dict[str, Fact]]) -> None:
        self.facts = facts
        self.eids = np.fromiter(facts.keys(), dtype=np.int64, count=len(facts))
        self.n = len(facts)
        self._columns: dict[str, tuple[np.ndarray, list[Fact | None]]] = {}
        self._sorted: dict[str, tuple[list[Decimal], np.ndarray] | None] = {}
        self._holds: dict[str, np.ndarray] = {}
        self._near: dict[tuple[str, int, int], tuple[dict[str, Any], str]] = {}

    def column(self, field: str) -> tuple[np.ndarray, list[Fact | None]]:
        """(index of each enterprise's distinct fact, the distinct facts); the last distinct is "no fact"."""
        col = self._columns.get(field)
        if col is None:
            index: dict[Any, int] = {}
            distinct: list[Fact | None] = []
            absent: list[int] = []
            codes = np.empty(self.n, dtype=np.int32)
            for i, f in enumerate(self.facts.values()):
                fact = f.get(field)
                if fact is None:
                    absent.append(i)
                    continue
                key = (_hashable(fact.value), fact.source, fact.as_of)
                code = index.get(key)
                if code is None:
                    code = index[key] = len(distinct)
                    distinct.append(fact)
                codes[i] = code
            codes[absent] = len(distinct)
            distinct.append(None)
            col = self._columns[field] = (codes, distinct)
        return col

    def _numbers(self, field: str) -> tuple[list[Decimal], np.ndarray] | None:
        """The field's distinct numeric values sorted, with their distinct indices; None if any is not a number."""
        if field not in self._sorted:
            _codes, distinct = self.column(field)
            pairs: list[tuple[Decimal, int]] = []
            ok = True
            for code, fact in enumerate(distinct):
                if fact is None or fact.value is None:
                    continue  # no value: never ≥ or ≤ anything (rules.holds)
                try:
                    d = Decimal(str(fact.value))
                except ArithmeticError:  # not a number: decided one by one below, as rules.holds decides it
                    ok = False
                    break
                if not d.is_finite():
                    ok = False
                    break
                pairs.append((d, code))
            if ok:
                pairs.sort(key=lambda p: p[0])
                self._sorted[field] = ([p[0] for p in pairs], np.array([p[1] for p in pairs], dtype=np.int64))
            else:
                self._sorted[field] = None
        return self._sorted[field]

    def holds(self, cond: dict[str, Any]) -> np.ndarray:
        """Whether `cond` holds, for each enterprise (cached per distinct condition: policies share conditions)."""
        key = json.dumps(cond, sort_keys=True)
        mask = self._holds.get(key)
        if mask is None:
            codes, distinct = self.column(cond["field"])
            ok = np.zeros(len(distinct), dtype=bool)
            numbers = self._numbers(cond["field"]) if cond["op"] in NUMERIC_OPS else None
            if numbers is not None:
                values, order = numbers
                want = Decimal(cond["value"])
                if cond["op"] == "gte":
                    ok[order[bisect_left(values, want):]] = True
                else:
                    ok[order[:bisect_right(values, want)]] = True
            else:
                for code, fact in enumerate(distinct):
                    ok[code] = holds(cond, fact)
            mask = self._holds[key] = ok[codes]
        return mask

    def near(self, i: int, cond: dict[str, Any], rows: np.ndarray) -> tuple[list[dict[str, Any]], list[str]]:
        """The near-miss explanation of each enterprise number in `rows` failing condition `i` (the trace row, and
        the compact JSON a decision row stores), built once per distinct fact."""
        codes, distinct = self.column(cond["field"])
        key = json.dumps(cond, sort_keys=True)
        uniq, inverse = np.unique(codes[rows], return_inverse=True)
        rows_made, texts_made = np.empty(len(uniq), dtype=object), np.empty(len(uniq), dtype=object)
        for k, code in enumerate(uniq.tolist()):
            found = self._near.get((key, i, code))
            if found is None:
                missing = trace_row(i, cond, distinct[code])
                found = self._near[(key, i, code)] = (missing, stored_missing(missing))
            rows_made[k], texts_made[k] = found
        inverse = inverse.reshape(-1)
        return rows_made[inverse].tolist(), texts_made[inverse].tolist()


def stored_missing(missing: dict[str, Any]) -> str:
    """What a near-miss row keeps of its failing condition's trace row, as JSON: which condition, the value used
    and the gap. The rest (the condition itself, the value's source and date) is in its version and facts snapshot,
    and the full trace is replayed from these (services/matching.py: decision_trace)."""
    return json.dumps({k: missing[k] for k in STORED_MISSING}, ensure_ascii=False, separators=(",", ":"))


STORED_MISSING = ("i", "field", "actual", "gap")


def classify_policy(columns: Columns, conditions: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows that qualify, rows that nearly qualify, the failing condition of each near row), as row numbers."""
    if not conditions:
        return np.arange(columns.n), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    failed = np.zeros(columns.n, dtype=np.int16)
    last = np.zeros(columns.n, dtype=np.int16)
    for i, cond in enumerate(conditions):
        fails = ~columns.holds(cond)
        failed += fails
        last[fails] = i
    near = np.flatnonzero(failed == 1)
    return np.flatnonzero(failed == 0), near, last[near]
