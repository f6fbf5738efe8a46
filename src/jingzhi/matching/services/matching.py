"""Matching: evaluate enterprises against policies in force, keep the qualified and near-miss pairs with their
traces, and put 免申即享 benefits in the issuing unit's review queue.

Incremental by construction: `rematch(enterprise_ids=…, policy_ids=…)` touches exactly the pairs in the product of
the two sets — one changed policy × all enterprises, or one changed enterprise × all policies (tasks.py queues
these after the commit of the change). Rows that did not change are not written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.notify import Outgoing, notify_many
from jingzhi.matching import writes
from jingzhi.matching.access import POLICY_OFFICE_ROLES
from jingzhi.matching.bulk import SMALL, insert_rows
from jingzhi.matching.facts import facts_for
from jingzhi.matching.models import FactSnapshot, Grant, MatchingEvent, Policy, PolicyVersion
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
from jingzhi.matching.setwise import Columns, classify_policy, stored_missing
from jingzhi.org.models import Enterprise, Role, User


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
    """Published enterprise policies whose current version is valid on `on` (model objects, for pages)."""
    rows = (Policy.objects.filter(status=Policy.Status.PUBLISHED, current__target=PolicyVersion.Target.ENTERPRISE,
                                  current__valid_from__lte=on, current__valid_to__gte=on)
            .select_related("current"))
    return [(p, p.current) for p in rows if p.current is not None]


@dataclass(frozen=True)
class PolicyRef:
    pk: int
    issuer_id: int


@dataclass(frozen=True)
class Rules:
    """The version in force of a policy as the engine reads it: one query, no model objects (the hot path of a
    one-enterprise re-match is reading 500 policies)."""

    pk: int
    number: int
    title: str
    conditions: list[dict[str, Any]]
    no_application: bool
    benefit_kind: str
    benefit_amount: Decimal | None
    benefit_rate: Decimal | None
    benefit_base: str
    benefit_cap: Decimal | None


RULE_COLUMNS = ("pk", "number", "title", "conditions", "no_application", "benefit_kind", "benefit_amount",
                "benefit_rate", "benefit_base", "benefit_cap")
# Versions never change once made (models.PolicyVersion; read-only in the admin), so each process keeps the ones
# it has read: a one-enterprise re-match then reads 500 (policy, version) ids instead of decoding 500 versions
# (8.7 of its 17 ms of CPU). The key adds the version's creation time as text, so a database restored from a
# backup, whose new versions may reuse ids, cannot be served an old version's rules.
_VERSIONS: dict[tuple[int, str], Rules] = {}
_VERSIONS_KEPT = 20_000


def rules_in_force(on: date, policy_ids: Iterable[int] | None = None) -> list[tuple[PolicyRef, Rules]]:
    """The same policies as `in_force`, as plain values."""
    qs = Policy.objects.filter(status=Policy.Status.PUBLISHED, current__target=PolicyVersion.Target.ENTERPRISE,
                               current__valid_from__lte=on, current__valid_to__gte=on)
    if policy_ids is not None:
        qs = qs.filter(pk__in=list(policy_ids))
    rows = list(qs.order_by("pk").annotate(made=Cast("current__created_at", CharField()))
                .values_list("pk", "issuer_id", "current_id", "made"))
    unread = [vid for _pk, _issuer, vid, made in rows if (vid, made) not in _VERSIONS]
    if unread:
        if len(_VERSIONS) + len(unread) > _VERSIONS_KEPT:
            _VERSIONS.clear()
        for made, *values in (PolicyVersion.objects.filter(pk__in=unread)
                              .annotate(made=Cast("created_at", CharField())).values_list("made", *RULE_COLUMNS)):
            _VERSIONS[(values[0], made)] = Rules(*values)
    return [(PolicyRef(pk, issuer), _VERSIONS[(vid, made)]) for pk, issuer, vid, made in rows]


@dataclass
class Decided:
    """One policy's decisions: the enterprises that qualify, and those that nearly do with what they miss (the
    trace row of the failing condition, and its JSON text)."""

    policy: Any
    version: Any
    qualified: list[int]
    near: list[int]
    near_missing: list[dict[str, Any]]
    near_text: list[str]


# Below this many enterprises, conditions are evaluated one by one (numpy's per-call cost would dominate).
SETWISE_FROM = 64


def decide(policies: Sequence[tuple[Any, Any]], facts: dict[int, dict[str, Fact]], *,
           setwise: bool | None = None) -> list[Decided]:
    """Classify every enterprise of `facts` against every policy (pairs `(policy, version)`; a version has
    `conditions`). Qualified: every condition holds; near: exactly one fails; the rest keep nothing."""
    if setwise is None:
        setwise = len(facts) >= SETWISE_FROM
    out: list[Decided] = []
    if not setwise:
        for policy, version in policies:
            conditions = version.conditions
            d = Decided(policy, version, [], [], [], [])
            for eid, f in facts.items():
                failing = [i for i, c in enumerate(conditions) if not holds(c, f.get(c["field"]))]
                if not failing:
                    d.qualified.append(eid)
                elif len(failing) == 1:
                    i = failing[0]
                    missing = trace_row(i, conditions[i], f.get(conditions[i]["field"]))
                    d.near.append(eid)
                    d.near_missing.append(missing)
                    d.near_text.append(stored_missing(missing))
            out.append(d)
        return out
    columns = Columns(facts)
    eids = columns.eids
    for policy, version in policies:
        conditions = version.conditions
        qualified_rows, near_rows, failed = classify_policy(columns, conditions)
        d = Decided(policy, version, eids[qualified_rows].tolist(), [], [], [])
        for i in np.unique(failed).tolist():
            picked = near_rows[failed == i]
            explained, texts = columns.near(i, conditions[i], picked)
            d.near.extend(eids[picked].tolist())
            d.near_missing.extend(explained)
            d.near_text.extend(texts)
        out.append(d)
    return out


Wanted = dict[tuple[int, int], tuple[Any, str, dict[str, Any]]]


def classify(policies: Sequence[tuple[Any, Any]], facts: dict[int, dict[str, Fact]], *,
             setwise: bool | None = None) -> Wanted:
    """(enterprise, policy) → (version, "qualified" | "near", the missing condition) for the pairs that keep a row."""
    wanted: Wanted = {}
    for d in decide(policies, facts, setwise=setwise):
        pid = d.policy.pk
        for eid in d.qualified:
            wanted[(eid, pid)] = (d.version, "qualified", {})
        for eid, missing in zip(d.near, d.near_missing, strict=True):
            wanted[(eid, pid)] = (d.version, "near", missing)
    return wanted


def rematch(*, enterprise_ids: Iterable[int] | None = None, policy_ids: Iterable[int] | None = None,
            on: date | None = None) -> Summary:
    """Re-match the given enterprises (all when None) against the given policies (all when None).

    Writes only the difference: a row whose version, outcome and facts snapshot are unchanged is left alone (its
    explanation is a function of these three); a changed row is deleted and inserted again, a row no longer
    wanted deleted.
    """
    started = timezone.now()
    on = on or timezone.localdate()
    eids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    pids = None if policy_ids is None else sorted(set(policy_ids))
    policies = rules_in_force(on, pids)
    facts = facts_for(eids, on=on, stamp=False)
    summary = Summary(pairs=len(policies) * len(facts))
    decided = decide(policies, facts)
    keeping = {eid for d in decided for eid in d.qualified} | {eid for d in decided for eid in d.near}
    with transaction.atomic():
        writes.lock_matches()
        snapshots = _snapshots(keeping, facts, on)
        have = writes.existing_matches(eids, pids)
        blocks: list[writes.Block] = []
        unchanged: set[int] = set()
        replaced = 0  # rows deleted only to be written again (changed), as opposed to removed
        for d in decided:
            pid, vid = d.policy.pk, d.version.pk
            summary.qualified += len(d.qualified)
            summary.near += len(d.near)
            for outcome, members, texts, missing in (("qualified", d.qualified, None, None),
                                                     ("near", d.near, d.near_text, d.near_missing)):
                snaps = [snapshots[eid] for eid in members]
                if have:  # keep what is unchanged; the first match of a pair skips the comparison
                    fresh = []
                    for k, (eid, snap) in enumerate(zip(members, snaps, strict=True)):
                        row = have.get((eid, pid))
                        if row is not None and row[1] == vid and row[2] == outcome and row[3] == snap:
                            unchanged.add(row[0])
                        else:
                            fresh.append(k)
                            replaced += row is not None
                    if len(fresh) < len(members):
                        members, snaps = [members[k] for k in fresh], [snaps[k] for k in fresh]
                        texts = None if texts is None else [texts[k] for k in fresh]
                        missing = None if missing is None else [missing[k] for k in fresh]
                if members:
                    blocks.append(writes.Block(pid, vid, outcome, members, snaps, texts, missing))
        gone = [row[0] for row in have.values() if row[0] not in unchanged]
        writes.delete_matches(gone)
        summary.written = writes.insert_matches(blocks, on=on, now=timezone.now())
        summary.removed = len(gone) - replaced
        summary.grants = _grants(decided, facts, snapshots, on)
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary


def _snapshots(eids: set[int], facts: dict[int, dict[str, Fact]], on: date) -> dict[int, int]:
    """The snapshot id of each enterprise's current facts, made where these facts were not seen before."""
    stored = {eid: serialise(facts[eid]) for eid in eids}
    digests = {eid: hashlib.sha256(json.dumps(v, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
               for eid, v in stored.items()}
    found: dict[int, int] = {}
    ids = sorted(eids)

    def look(part: list[int]) -> None:
        for pk, eid, digest in FactSnapshot.objects.filter(enterprise_id__in=part, digest__in={digests[e] for e in part}) \
                .values_list("pk", "enterprise_id", "digest"):
            if digests[eid] == digest:
                found[eid] = pk

    for chunk in range(0, len(ids), 5000):
        look(ids[chunk:chunk + 5000])
    missing = [eid for eid in ids if eid not in found]
    rows = [(eid, digests[eid], stored[eid], on) for eid in missing]
    if rows and connection.vendor == "postgresql" and len(rows) <= SMALL:
        found.update(writes.insert_snapshots_returning(rows))  # one statement, which also names the new ids
    else:
        insert_rows(FactSnapshot, ("enterprise_id", "digest", "facts", "taken_on"), rows, ignore_conflicts=True)
    missing = [eid for eid in missing if eid not in found]
    for chunk in range(0, len(missing), 5000):
        look(missing[chunk:chunk + 5000])
    return found


def _grants(decided: list[Decided], facts: dict[int, Any], snapshots: dict[int, int], on: date) -> int:
    """免申即享: a qualifying pair of a no-application policy becomes a grant for this year's period, once."""
    pairs = [(eid, d.policy, d.version) for d in decided if d.version.no_application for eid in d.qualified]
    if not pairs:
        return 0
    period = on.year
    pids = sorted({p.pk for _e, p, _v in pairs})
    done = set(Grant.objects.filter(policy_id__in=pids, period=period, enterprise_id__in=sorted({p[0] for p in pairs}))
               .values_list("enterprise_id", "policy_id"))
    fresh = [p for p in pairs if (p[0], p[1].pk) not in done]
    if not fresh:
        return 0
    # ignore_conflicts: a concurrent re-match of the same pair cannot pay twice (the unique constraint decides).
    now = timezone.now()
    insert_rows(Grant, ("enterprise_id", "policy_id", "version_id", "unit_id", "period", "amount", "snapshot_id", "status",
                        "created_at", "reason"),
                [(eid, p.pk, v.pk, p.issuer_id, period, benefit_amount(v, facts[eid]), snapshots[eid],
                  Grant.Status.PENDING, now, "") for eid, p, v in fresh], ignore_conflicts=True)
    made = list(Grant.objects.filter(policy_id__in=pids, period=period, status=Grant.Status.PENDING,
                                     enterprise_id__in=sorted({p[0] for p in fresh})).exclude(events__action="proposed")
                .values_list("pk", "policy_id", "enterprise_id", "unit_id", "version__number", "version__title",
                             "enterprise__name"))
    insert_rows(MatchingEvent, ("policy_id", "grant_id", "action", "at", "detail"),
                [(pid, pk, "proposed", now, {"version": number}) for pk, pid, _e, _u, number, _t, _n in made])
    _notify_grants(made)
    return len(made)


def _notify_grants(grants: list[tuple[Any, ...]]) -> None:
    """Grants as (pk, policy, enterprise, unit, version number, title, enterprise name) rows."""
    if not grants:
        return
    users: dict[int, list[int]] = {}
    for uid, eid in User.objects.filter(role=Role.ENTERPRISE, enterprise_id__in={g[2] for g in grants},
                                        is_active=True).values_list("pk", "enterprise_id"):
        users.setdefault(eid, []).append(uid)
    office: dict[int, list[int]] = {}
    for uid, unit in User.objects.filter(role__in=POLICY_OFFICE_ROLES, unit_id__in={g[3] for g in grants},
                                         is_active=True).values_list("pk", "unit_id"):
        office.setdefault(unit, []).append(uid)
    items = []
    for pk, _pid, eid, unit, _number, title, name in grants:
        items.append(Outgoing(tuple(users.get(eid, ())), "policy_grant",
                              _("Your enterprise qualifies for “%(title)s” without applying (免申即享); it is being "
                                "reviewed.") % {"title": title}, "grant", str(pk)))
        items.append(Outgoing(tuple(office.get(unit, ())), "policy_grant_review",
                              _("%(enterprise)s qualifies for “%(title)s” (免申即享): review it.")
                              % {"enterprise": name, "title": title}, "grant", str(pk)))
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
