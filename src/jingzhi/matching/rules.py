"""Eligibility as data: a small, closed condition language, validated on save and evaluated without eval.

A policy version's `conditions` is a list; every condition must hold. A condition is
`{"field": <field>, "op": <operator>, "value": <value>}` over the facts of one enterprise (facts.py):

| field | kind | operators | value |
|---|---|---|---|
| industry | GB/T 4754 code | prefix | list of code prefixes ("C36", "I65") |
| size | choice | in | list of large / medium / small / micro |
| tags | set | has_all, has_any, has_none | list of tags (专精特新 …, org.EnterpriseTag) |
| division | division | within | list of division codes (the subtree of each) |
| years_registered | number (years) | gte, lte | number |
| employees, output, tax, rd_spend, rd_ratio | number | gte, lte | number (万元; rd_ratio in %) |
| dishonest | flag | is | true / false ("no dishonesty record" is `is false`) |

Why our own and not JSON Logic (json-logic-qubit, panzi-json-logic are on the index): a decision must name the one
condition that fails and by how much, and a page must show each condition's value, source and date. That needs a
condition-level structure the policy office edits field by field; a JSON Logic tree would have to be taken apart
again for every explanation, and its evaluator is an interpreter of a general language we would then have to
restrict. Here every operator is a plain function chosen from a table (ADR 024).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SIZES = ("large", "medium", "small", "micro")
TAGS = ("specialised", "little_giant", "high_tech", "tech_sme", "eaglet", "gazelle", "above_scale", "key")
INDUSTRY_PREFIX = re.compile(r"^[A-T]\d{0,4}$")
DIVISION_CODE = re.compile(r"^\d{6,12}$")


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # number | code | choice | tags | division | flag
    label: Any
    ops: tuple[str, ...]
    maximum: float | None = None  # an impossible range is refused (a ratio over 100 %)
    unit: Any = ""


FIELDS: dict[str, FieldSpec] = {
    "industry": FieldSpec("code", gettext_lazy("Industry code (GB/T 4754)"), ("prefix",)),
    "size": FieldSpec("choice", gettext_lazy("Size"), ("in",)),
    "tags": FieldSpec("tags", gettext_lazy("Tags"), ("has_all", "has_any", "has_none")),
    "division": FieldSpec("division", gettext_lazy("Division"), ("within",)),
    "years_registered": FieldSpec("number", gettext_lazy("Years registered in the city"), ("gte", "lte"), 200,
                                  gettext_lazy("years")),
    "employees": FieldSpec("number", gettext_lazy("Employees"), ("gte", "lte"), 10_000_000),
    "output": FieldSpec("number", gettext_lazy("Output last year"), ("gte", "lte"), None, gettext_lazy("10,000 yuan")),
    "tax": FieldSpec("number", gettext_lazy("Tax paid last year"), ("gte", "lte"), None, gettext_lazy("10,000 yuan")),
    "rd_spend": FieldSpec("number", gettext_lazy("R&D spend last year"), ("gte", "lte"), None, gettext_lazy("10,000 yuan")),
    "rd_ratio": FieldSpec("number", gettext_lazy("R&D spend / output"), ("gte", "lte"), 100, "%"),
    "dishonest": FieldSpec("flag", gettext_lazy("Dishonesty record (失信)"), ("is",)),
}
OPS: dict[str, Any] = {
    "gte": gettext_lazy("at least"), "lte": gettext_lazy("at most"), "prefix": gettext_lazy("starts with one of"),
    "in": gettext_lazy("is one of"), "has_all": gettext_lazy("has all of"), "has_any": gettext_lazy("has one of"),
    "has_none": gettext_lazy("has none of"), "within": gettext_lazy("lies within"), "is": gettext_lazy("is"),
}
# The figures a RATE benefit may be a share of.
BENEFIT_BASES = ("rd_spend", "tax", "output")


@dataclass(frozen=True)
class Fact:
    """One value a rule reads, with where it came from and of when (shown in every trace)."""

    value: Any
    source: str
    as_of: str


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        d = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _list(raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        raw = [p for p in re.split(r"[,，、\s]+", raw) if p]
    if not isinstance(raw, list | tuple) or not raw or not all(isinstance(x, str) for x in raw):
        return None
    return [x.strip() for x in raw]


def validate_conditions(raw: Any, *, fields: dict[str, FieldSpec] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Clean a list of conditions; return (clean, errors), each error naming the condition (1-based) in words.

    `fields` is the table the conditions may name: FIELDS (an enterprise's facts) unless told (DIVISION_FIELDS)."""
    if not isinstance(raw, list):
        return [], [_("The conditions must be a list.")]
    clean: list[dict[str, Any]] = []
    errors: list[str] = []
    for i, cond in enumerate(raw, start=1):
        problem, row = _validate_one(cond, FIELDS if fields is None else fields)
        if problem:
            errors.append(_("Condition %(n)d: %(problem)s") % {"n": i, "problem": problem})
        else:
            clean.append(row)
    return clean, errors


def _validate_one(cond: Any, fields: dict[str, FieldSpec] = FIELDS) -> tuple[str, dict[str, Any]]:
    if not isinstance(cond, dict):
        return _("not a condition."), {}
    field, op, value = cond.get("field"), cond.get("op"), cond.get("value")
    spec = fields.get(field) if isinstance(field, str) else None
    if spec is None:
        return _("unknown field “%(field)s”.") % {"field": field}, {}
    if op not in spec.ops:
        return _("“%(label)s” cannot be compared with “%(op)s”.") % {"label": spec.label, "op": op}, {}
    if spec.kind == "number":
        n = _number(value)
        if n is None:
            return _("“%(label)s” needs a number, not “%(value)s”.") % {"label": spec.label, "value": value}, {}
        if n < 0 or (spec.maximum is not None and n > Decimal(str(spec.maximum))):
            return _("%(value)s is outside the possible range of “%(label)s” (0 to %(max)s).") % {
                "value": n, "label": spec.label, "max": spec.maximum if spec.maximum is not None else "∞"}, {}
        return "", {"field": field, "op": op, "value": format(n.normalize(), "f")}
    if spec.kind == "flag":
        if value in (True, "true", "True", "1", 1, "是", "yes"):
            value = True
        elif value in (False, "false", "False", "0", 0, "否", "no"):
            value = False
        else:
            return _("“%(label)s” is yes or no.") % {"label": spec.label}, {}
        return "", {"field": field, "op": op, "value": value}
    items = _list(value)
    if items is None:
        return _("“%(label)s” needs at least one value.") % {"label": spec.label}, {}
    allowed: Callable[[str], bool] = {
        "code": lambda x: bool(INDUSTRY_PREFIX.match(x.upper())),
        "choice": lambda x: x in SIZES,
        "tags": lambda x: x in TAGS,
        "division": lambda x: bool(DIVISION_CODE.match(x)),
    }[spec.kind]
    bad = [x for x in items if not allowed(x)]
    if bad:
        return _("“%(value)s” is not a valid value of “%(label)s”.") % {"value": bad[0], "label": spec.label}, {}
    if spec.kind == "code":
        items = [x.upper() for x in items]
    return "", {"field": field, "op": op, "value": sorted(set(items))}


# ------------------------------------------------------------------------------------------------ evaluation


def _fmt(d: Decimal) -> str:
    return format(d.quantize(Decimal("0.01")).normalize(), "f")


def holds(cond: dict[str, Any], fact: Fact | None) -> bool:
    """Whether one (clean) condition holds for a fact: the hot path of a full match (no messages built)."""
    op, want = cond["op"], cond["value"]
    value = fact.value if fact is not None else None
    if op == "is":
        return bool(value) is want
    if value is None:
        return False
    if op == "gte":
        return Decimal(str(value)) >= Decimal(want)
    if op == "lte":
        return Decimal(str(value)) <= Decimal(want)
    if op == "prefix":
        return any(str(value).startswith(p) for p in want)
    if op == "in":
        return value in want
    if op == "within":
        return any(f"/{code}/" in value for code in want)
    if op == "has_all":
        return all(t in value for t in want)
    if op == "has_any":
        return any(t in value for t in want)
    return not any(t in value for t in want)


def check(cond: dict[str, Any], fact: Fact | None) -> tuple[bool, str]:
    """Whether one condition holds, and if not, what is missing and by how much (for near misses and traces)."""
    if holds(cond, fact):
        return True, ""
    op, want = cond["op"], cond["value"]
    value = fact.value if fact is not None else None
    if op == "is":
        return False, _("a dishonesty record stands") if want is False else _("no dishonesty record")
    if value is None:
        return False, _("no data")
    if op == "gte":
        return False, _("short by %(gap)s") % {"gap": _fmt(Decimal(want) - Decimal(str(value)))}
    if op == "lte":
        return False, _("over by %(gap)s") % {"gap": _fmt(Decimal(str(value)) - Decimal(want))}
    if op == "prefix":
        return False, _("industry %(code)s is not in the list") % {"code": value}
    if op == "in":
        return False, _("is “%(value)s”") % {"value": value}
    if op == "within":
        return False, _("outside the listed divisions")
    if op == "has_all":
        return False, _("lacks %(tags)s") % {"tags": "、".join(t for t in want if t not in value)}
    if op == "has_any":
        return False, _("has none of them")
    return False, _("holds %(tags)s") % {"tags": "、".join(t for t in want if t in value)}


def trace_row(i: int, cond: dict[str, Any], fact: Fact | None) -> dict[str, Any]:
    ok, gap = check(cond, fact)
    return {"i": i, "field": cond["field"], "op": cond["op"], "value": cond["value"],
            "actual": _jsonable(fact.value) if fact is not None else None,
            "source": fact.source if fact is not None else "", "as_of": fact.as_of if fact is not None else "",
            "ok": ok, "gap": gap}


@dataclass
class Result:
    outcome: str  # qualified | near | not
    trace: list[dict[str, Any]]
    missing: dict[str, Any]


def evaluate(conditions: Sequence[dict[str, Any]], facts: dict[str, Fact]) -> Result:
    """Evaluate every condition (no short cut: the trace shows each) and classify the pair."""
    trace: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for i, cond in enumerate(conditions):
        row = trace_row(i, cond, facts.get(cond["field"]))
        trace.append(row)
        if not row["ok"]:
            failed.append(row)
    if not failed:
        return Result("qualified", trace, {})
    if len(failed) == 1:
        return Result("near", trace, failed[0])
    return Result("not", trace, {})


def facts_from_trace(trace: Sequence[dict[str, Any]]) -> dict[str, Fact]:
    """The facts a decision was made with, back from its trace (for replay)."""
    return {row["field"]: Fact(row["actual"], row["source"], row["as_of"]) for row in trace if row["actual"] is not None
            or row["op"] == "is"}


def serialise(facts: dict[str, Fact]) -> dict[str, list[Any]]:
    """Facts as stored in a snapshot: {field: [value, source, as_of]}, JSON only."""
    return {k: [_jsonable(f.value), f.source, f.as_of] for k, f in sorted(facts.items())}


def deserialise(stored: dict[str, list[Any]], *, taken_on: str = "") -> dict[str, Fact]:
    """A snapshot's facts back; a blank as_of (a registry field) reads as the day the snapshot was taken."""
    return {k: Fact(v[0], v[1], v[2] or taken_on) for k, v in stored.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value


def benefit_amount(version: Any, facts: dict[str, Fact]) -> Decimal | None:
    """The benefit in 万元: a fixed amount, or rate % of a figure up to the cap (研发费用的 10 %, 上限 50 万元)."""
    if version.benefit_kind == "fixed":
        return version.benefit_amount
    if version.benefit_kind == "rate":
        base = facts.get(version.benefit_base)
        if base is None or base.value is None:
            return None
        amount = (Decimal(str(base.value)) * version.benefit_rate / 100).quantize(Decimal("0.01"))
        return min(amount, version.benefit_cap) if version.benefit_cap is not None else amount
    return None


def describe(cond: dict[str, Any], *, fields: dict[str, FieldSpec] | None = None) -> str:
    """A condition in words, for pages and messages (over `fields`: FIELDS unless told)."""
    spec = (FIELDS if fields is None else fields)[cond["field"]]
    value = cond["value"]
    shown = "、".join(value) if isinstance(value, list) else (_("yes") if value is True else _("no") if value is False else value)
    return f"{spec.label} {OPS[cond['op']]} {shown}{(' ' + str(spec.unit)) if spec.unit else ''}"


def source_label(source: str) -> str:
    """Where a fact came from, in words: the registry, a year's figures, the dishonesty records."""
    if source.startswith("figures:"):
        return _("yearly figures %(year)s") % {"year": source.split(":", 1)[1]}
    return {"registry": _("enterprise registry"), "registry:registered_at": _("registry: date registered"),
            "dishonesty_records": _("dishonesty records")}.get(source, source)


# ------------------------------------------------------------------------------------------------ division facts
# The same language over the facts of a county-level division (上级项目, programmes/facts.py): its yearly figures
# (DivisionFigures) and the division itself. Units are those of the statistical yearbooks; maxima refuse the
# impossible (a share over 100 %). ADR 028.
DIVISION_FIELDS: dict[str, FieldSpec] = {
    "division": FieldSpec("division", gettext_lazy("Division"), ("within",)),
    "population": FieldSpec("number", gettext_lazy("Resident population"), ("gte", "lte"), 10_000,
                            gettext_lazy("10,000 people")),
    "gdp": FieldSpec("number", gettext_lazy("GDP"), ("gte", "lte"), 1_000_000, gettext_lazy("100 million yuan")),
    "primary_share": FieldSpec("number", gettext_lazy("Primary industry share of GDP"), ("gte", "lte"), 100, "%"),
    "grain_output": FieldSpec("number", gettext_lazy("Grain output"), ("gte", "lte"), 100_000,
                              gettext_lazy("10,000 tonnes")),
    "cultivated_land": FieldSpec("number", gettext_lazy("Cultivated land"), ("gte", "lte"), 100_000,
                                 gettext_lazy("10,000 mu")),
    "mechanisation": FieldSpec("number", gettext_lazy("Farm mechanisation rate"), ("gte", "lte"), 100, "%"),
    "forest_cover": FieldSpec("number", gettext_lazy("Forest cover"), ("gte", "lte"), 100, "%"),
    "water_length": FieldSpec("number", gettext_lazy("Rivers and channels"), ("gte", "lte"), 100_000, "km"),
    "rural_road_coverage": FieldSpec("number", gettext_lazy("Villages on hardened roads"), ("gte", "lte"), 100, "%"),
    "provincial_demo": FieldSpec("flag", gettext_lazy("Holds a provincial agricultural modernisation demonstration zone"),
                                 ("is",)),
    "water_plan": FieldSpec("flag", gettext_lazy("County water-system plan approved"), ("is",)),
}
