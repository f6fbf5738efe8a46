"""Match every county against every published programme, with the trace; replay a decision (ADR 028).

The engine is rules.py's, over DIVISION_FIELDS: the same validation, evaluation, near-miss gap and words as for
policies. Counties are few, so a re-match evaluates the pairs asked for one by one and writes only rows that changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.matching.programmes.facts import counties, division_facts
from jingzhi.matching.programmes.models import DivisionMatch, Programme, ProgrammeVersion
from jingzhi.matching.rules import DIVISION_FIELDS, Fact, Result, deserialise, evaluate, serialise


def evaluate_division(conditions: list[dict[str, Any]], facts: dict[str, Fact]) -> Result:
    """rules.evaluate over a division's facts; a failed yes/no condition says what the division holds instead
    (rules.check words the enterprise's one flag, the dishonesty record)."""
    result = evaluate(conditions, facts)
    for row in result.trace:
        if row["op"] == "is" and not row["ok"] and row["field"] in DIVISION_FIELDS:
            row["gap"] = _("no data") if row["actual"] is None else (_("not held") if row["value"] else _("held"))
    if result.outcome == "near":
        result.missing = next(row for row in result.trace if not row["ok"])
    return result


def replay(version: ProgrammeVersion, stored_facts: dict[str, list[Any]]) -> Result:
    """A decision again, with the version's rules and the facts it was made with."""
    return evaluate_division(list(version.conditions), deserialise(stored_facts))


def match_trace(match: DivisionMatch) -> Result:
    return replay(match.version, match.facts)


@dataclass
class Summary:
    pairs: int = 0
    written: int = 0
    removed: int = 0


def rematch(*, division_ids: Iterable[int] | None = None, programme_ids: Iterable[int] | None = None) -> Summary:
    """Re-match the given counties (all when None) against the given programmes (all when None)."""
    pids = None if programme_ids is None else sorted(set(programme_ids))
    programmes = Programme.objects.select_related("current")
    if pids is not None:
        programmes = programmes.filter(pk__in=pids)
    published = [p for p in programmes if p.status == Programme.Status.PUBLISHED and p.current_id]
    dids = None if division_ids is None else sorted(set(division_ids))
    county_ids = set(counties().values_list("pk", flat=True))
    facts = division_facts([d for d in (dids if dids is not None else county_ids) if d in county_ids])
    summary = Summary(pairs=len(published) * len(facts))
    with transaction.atomic():
        existing = DivisionMatch.objects.select_for_update()
        if dids is not None:
            existing = existing.filter(division_id__in=dids)
        if pids is not None:
            existing = existing.filter(programme_id__in=pids)
        have = {(m.division_id, m.programme_id): m for m in existing}
        wanted: set[tuple[int, int]] = set()
        now = timezone.now()
        for p in published:
            version = p.current
            assert version is not None  # published programmes have a version (filtered above)
            for did, f in facts.items():
                wanted.add((did, p.pk))
                r = evaluate_division(list(version.conditions), f)  # type: ignore[union-attr]
                stored = serialise(f)
                m = have.get((did, p.pk))
                if m is None:
                    DivisionMatch.objects.create(division_id=did, programme=p, version=version, outcome=r.outcome,
                                                 missing=r.missing, facts=stored, evaluated_at=now)
                elif (m.version_id, m.outcome, m.missing, m.facts) != (version.pk, r.outcome, r.missing, stored):  # type: ignore[union-attr]
                    m.version, m.outcome, m.missing, m.facts, m.evaluated_at = version, r.outcome, r.missing, stored, now
                    m.save(update_fields=["version", "outcome", "missing", "facts", "evaluated_at"])
                else:
                    continue
                summary.written += 1
        stale = [m.pk for key, m in have.items() if key not in wanted]
        summary.removed = DivisionMatch.objects.filter(pk__in=stale).delete()[0] if stale else 0
    return summary
