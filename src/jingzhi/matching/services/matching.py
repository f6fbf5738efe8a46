"""Matching: evaluate enterprises against policies in force, keep the qualified and near-miss pairs with their
traces, and put 免申即享 benefits in the issuing unit's review queue.

Incremental by construction: `rematch(enterprise_ids=…, policy_ids=…)` touches exactly the pairs in the product of
the two sets — one changed policy × all enterprises, or one changed enterprise × all policies (tasks.py queues
these after the commit of the change). Rows that did not change are not written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.notify import Outgoing, notify_many
from jingzhi.matching.access import POLICY_OFFICE_ROLES
from jingzhi.matching.bulk import insert_rows
from jingzhi.matching.facts import facts_for
from jingzhi.matching.models import FactSnapshot, Grant, Match, MatchingEvent, Policy, PolicyVersion
from jingzhi.matching.rules import (
    Fact,
    Result,
    benefit_amount,
    deserialise,
    evaluate,
    holds,
    serialise,
    trace_row,
)
from jingzhi.org.models import Enterprise, Role, User

MATCH_FIELDS = ("enterprise_id", "policy_id", "version_id", "outcome", "missing", "snapshot_id", "evaluated_on",
                "evaluated_at")


@dataclass
class Summary:
    pairs: int = 0
    qualified: int = 0
    near: int = 0
    written: int = 0
    removed: int = 0
    grants: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def in_force(on: date) -> list[tuple[Policy, PolicyVersion]]:
    """Published enterprise policies whose current version is valid on `on`."""
    rows = (Policy.objects.filter(status=Policy.Status.PUBLISHED, current__target=PolicyVersion.Target.ENTERPRISE,
                                  current__valid_from__lte=on, current__valid_to__gte=on)
            .select_related("current"))
    return [(p, p.current) for p in rows if p.current is not None]


def _failing(cond: dict[str, Any], facts: dict[int, dict[str, Fact]]) -> set[int]:
    field = cond["field"]
    return {eid for eid, f in facts.items() if not holds(cond, f.get(field))}


Wanted = dict[tuple[int, int], tuple[PolicyVersion, str, dict[str, Any]]]


def classify(policies: list[tuple[Policy, PolicyVersion]], facts: dict[int, dict[str, Fact]]) -> Wanted:
    """(enterprise, policy) → (version, "qualified" | "near", the missing condition) for the pairs that keep a row.

    Set-wise: each distinct condition is evaluated once over all the enterprises (policies share conditions), a
    policy's qualified enterprises are those in no failing set, its near misses those in exactly one.
    """
    failing: dict[str, set[int]] = {}
    wanted: Wanted = {}
    for policy, version in policies:
        misses: dict[int, int] = {}
        last: dict[int, int] = {}
        for i, cond in enumerate(version.conditions):
            key = json.dumps(cond, sort_keys=True)
            if key not in failing:
                failing[key] = _failing(cond, facts)
            for eid in failing[key]:
                misses[eid] = misses.get(eid, 0) + 1
                last[eid] = i
        for eid in facts:
            n = misses.get(eid, 0)
            if n == 0:
                wanted[(eid, policy.pk)] = (version, "qualified", {})
            elif n == 1:
                i = last[eid]
                cond = version.conditions[i]
                wanted[(eid, policy.pk)] = (version, "near", trace_row(i, cond, facts[eid].get(cond["field"])))
    return wanted


def rematch(*, enterprise_ids: Iterable[int] | None = None, policy_ids: Iterable[int] | None = None,
            on: date | None = None) -> Summary:
    """Re-match the given enterprises (all when None) against the given policies (all when None)."""
    started = timezone.now()
    on = on or timezone.localdate()
    eids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    pids = None if policy_ids is None else sorted(set(policy_ids))
    policies = [(p, v) for p, v in in_force(on) if pids is None or p.pk in pids]
    facts = facts_for(eids, on=on, stamp=False)
    summary = Summary(pairs=len(policies) * len(facts))
    wanted = classify(policies, facts)
    with transaction.atomic():
        snapshots = _snapshots({eid for eid, _pid in wanted}, facts, on)
        existing = Match.objects.all()
        if eids is not None:
            existing = existing.filter(enterprise_id__in=eids)
        if pids is not None:
            existing = existing.filter(policy_id__in=pids)
        have = {(m.enterprise_id, m.policy_id): m for m in existing.only(
            "pk", "enterprise_id", "policy_id", "version_id", "outcome", "missing", "snapshot_id")}
        stale = [m.pk for key, m in have.items() if key not in wanted]
        for chunk in range(0, len(stale), 1000):
            summary.removed += Match.objects.filter(pk__in=stale[chunk:chunk + 1000]).delete()[0]
        now = timezone.now()
        create: list[tuple[Any, ...]] = []
        update = []
        for (eid, pid), (version, outcome, missing) in wanted.items():
            m, snap = have.get((eid, pid)), snapshots[eid]
            if m is None:
                create.append((eid, pid, version.pk, outcome, missing, snap, on, now))
            elif (m.version_id, m.outcome, m.missing, m.snapshot_id) != (version.pk, outcome, missing, snap):
                m.version, m.outcome, m.missing, m.snapshot_id = version, outcome, missing, snap
                m.evaluated_on, m.evaluated_at = on, now
                update.append(m)
            summary.qualified += outcome == "qualified"
            summary.near += outcome == "near"
        insert_rows(Match, MATCH_FIELDS, create, ignore_conflicts=True)
        Match.objects.bulk_update(update, ["version", "outcome", "missing", "snapshot", "evaluated_on", "evaluated_at"],
                                  batch_size=2000)
        summary.written = len(create) + len(update)
        summary.grants = _grants(wanted, facts, snapshots, on)
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary


def _snapshots(eids: set[int], facts: dict[int, dict[str, Fact]], on: date) -> dict[int, int]:
    """The snapshot id of each enterprise's current facts, made where these facts were not seen before."""
    stored = {eid: serialise(facts[eid]) for eid in eids}
    digests = {eid: hashlib.sha256(json.dumps(v, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
               for eid, v in stored.items()}
    found: dict[int, int] = {}
    ids = sorted(eids)
    for chunk in range(0, len(ids), 2000):
        part = ids[chunk:chunk + 2000]
        for pk, eid, digest in FactSnapshot.objects.filter(enterprise_id__in=part, digest__in={digests[e] for e in part}) \
                .values_list("pk", "enterprise_id", "digest"):
            if digests[eid] == digest:
                found[eid] = pk
    missing = [eid for eid in ids if eid not in found]
    insert_rows(FactSnapshot, ("enterprise_id", "digest", "facts", "taken_on"),
                [(eid, digests[eid], stored[eid], on) for eid in missing], ignore_conflicts=True)
    for chunk in range(0, len(missing), 2000):
        part = missing[chunk:chunk + 2000]
        for pk, eid, digest in FactSnapshot.objects.filter(enterprise_id__in=part).values_list("pk", "enterprise_id", "digest"):
            if digests[eid] == digest:
                found[eid] = pk
    return found


def _grants(wanted: dict[tuple[int, int], tuple[PolicyVersion, str, dict[str, Any]]], facts: dict[int, Any],
            snapshots: dict[int, int], on: date) -> int:
    """免申即享: a qualifying pair of a no-application policy becomes a grant for this year's period, once."""
    pairs = [(eid, pid, v) for (eid, pid), (v, outcome, _m) in wanted.items() if outcome == "qualified" and v.no_application]
    if not pairs:
        return 0
    period = on.year
    pids = sorted({pid for _e, pid, _v in pairs})
    done = set(Grant.objects.filter(policy_id__in=pids, period=period, enterprise_id__in=sorted({p[0] for p in pairs}))
               .values_list("enterprise_id", "policy_id"))
    fresh = [p for p in pairs if (p[0], p[1]) not in done]
    if not fresh:
        return 0
    issuers = dict(Policy.objects.filter(pk__in=pids).values_list("pk", "issuer_id"))
    # ignore_conflicts: a concurrent re-match of the same pair cannot pay twice (the unique constraint decides).
    now = timezone.now()
    insert_rows(Grant, ("enterprise_id", "policy_id", "version_id", "unit_id", "period", "amount", "snapshot_id", "status",
                        "created_at", "reason"),
                [(eid, pid, v.pk, issuers[pid], period, benefit_amount(v, facts[eid]), snapshots[eid],
                  Grant.Status.PENDING, now, "") for eid, pid, v in fresh], ignore_conflicts=True)
    made = list(Grant.objects.filter(policy_id__in=pids, period=period, status=Grant.Status.PENDING,
                                     enterprise_id__in=sorted({p[0] for p in fresh})).exclude(events__action="proposed")
                .select_related("enterprise", "version"))
    insert_rows(MatchingEvent, ("policy_id", "grant_id", "action", "at", "detail"),
                [(g.policy_id, g.pk, "proposed", now, {"version": g.version.number}) for g in made])
    _notify_grants(made)
    return len(made)


def _notify_grants(grants: list[Grant]) -> None:
    if not grants:
        return
    users: dict[int, list[int]] = {}
    for uid, eid in User.objects.filter(role=Role.ENTERPRISE, enterprise_id__in={g.enterprise_id for g in grants},
                                        is_active=True).values_list("pk", "enterprise_id"):
        users.setdefault(eid, []).append(uid)
    office: dict[int, list[int]] = {}
    for uid, unit in User.objects.filter(role__in=POLICY_OFFICE_ROLES, unit_id__in={g.unit_id for g in grants},
                                         is_active=True).values_list("pk", "unit_id"):
        office.setdefault(unit, []).append(uid)
    items = []
    for g in grants:
        title = g.version.title
        items.append(Outgoing(tuple(users.get(g.enterprise_id, ())), "policy_grant",
                              _("Your enterprise qualifies for “%(title)s” without applying (免申即享); it is being "
                                "reviewed.") % {"title": title}, "grant", str(g.pk)))
        items.append(Outgoing(tuple(office.get(g.unit_id, ())), "policy_grant_review",
                              _("%(enterprise)s qualifies for “%(title)s” (免申即享): review it.")
                              % {"enterprise": g.enterprise.name, "title": title}, "grant", str(g.pk)))
    notify_many(items)


def explain(enterprise: Enterprise, version: PolicyVersion, *, on: date | None = None) -> Result:
    """The live decision for one pair, with its trace (the "why not" of pairs that keep no row)."""
    facts = facts_for([enterprise.pk], on=on).get(enterprise.pk, {})
    return evaluate(version.conditions, facts)


def replay(version: PolicyVersion, snapshot: FactSnapshot) -> Result:
    """A stored decision evaluated again: the rules of its version over the facts it was made with."""
    return evaluate(version.conditions, deserialise(snapshot.facts, taken_on=snapshot.taken_on.isoformat()))


def decision_trace(version: PolicyVersion, snapshot: FactSnapshot) -> list[dict[str, Any]]:
    """The trace of a stored decision (each condition, the value used, its source and date)."""
    return replay(version, snapshot).trace


def matches_for_enterprise(enterprise: Enterprise, *, on: date | None = None) -> list[tuple[Policy, PolicyVersion, Result]]:
    """Every policy in force, evaluated live for one enterprise: qualified first, then near misses, then the rest."""
    on = on or timezone.localdate()
    facts = facts_for([enterprise.pk], on=on).get(enterprise.pk, {})
    order = {"qualified": 0, "near": 1, "not": 2}
    rows = [(p, v, evaluate(v.conditions, facts)) for p, v in in_force(on)]
    return sorted(rows, key=lambda r: (order[r[2].outcome], r[1].title))
