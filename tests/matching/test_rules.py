"""The condition language: random enterprises × random rules against a reference evaluation written separately,
near-miss classification, and validation that refuses junk with a message instead of an exception."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhi.matching.rules import SIZES, TAGS, Fact, evaluate, facts_from_trace, validate_conditions

INDUSTRIES = ["C3670", "C2411", "C2221", "N7721", "M7320", "I6513", "A0511", "C34"]
PATHS = ["/211200/211202/", "/211200/211223/", "/211200/211282/", "/211200/"]
NUMERIC = ["employees", "years_registered", "output", "tax", "rd_spend", "rd_ratio"]

maybe_number = st.one_of(st.none(), st.integers(0, 5000).map(Decimal))
enterprises = st.fixed_dictionaries({
    "industry": st.sampled_from(INDUSTRIES), "size": st.sampled_from(SIZES),
    "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=4), "division": st.sampled_from(PATHS),
    "dishonest": st.booleans(), **{k: maybe_number for k in NUMERIC}})

conditions = st.one_of(
    st.builds(lambda f, op, v: {"field": f, "op": op, "value": v}, st.sampled_from(NUMERIC),
              st.sampled_from(["gte", "lte"]), st.integers(0, 100)),
    st.builds(lambda v: {"field": "industry", "op": "prefix", "value": v},
              st.lists(st.sampled_from(["C", "C3", "C36", "N77", "I", "A05"]), min_size=1, max_size=3, unique=True)),
    st.builds(lambda v: {"field": "size", "op": "in", "value": v}, st.lists(st.sampled_from(SIZES), min_size=1, unique=True)),
    st.builds(lambda op, v: {"field": "tags", "op": op, "value": v}, st.sampled_from(["has_all", "has_any", "has_none"]),
              st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True)),
    st.builds(lambda v: {"field": "division", "op": "within", "value": v},
              st.lists(st.sampled_from(["211202", "211223", "211282", "211200"]), min_size=1, unique=True)),
    st.builds(lambda v: {"field": "dishonest", "op": "is", "value": v}, st.booleans()),
)


def reference(cond: dict[str, Any], e: dict[str, Any]) -> bool:
    """The meaning of each condition, written out case by case from the table in rules.py's docstring."""
    f, op, v = cond["field"], cond["op"], cond["value"]
    have = e[f]
    if f == "dishonest":
        return have == v
    if f in NUMERIC:
        if have is None:
            return False
        return have >= Decimal(v) if op == "gte" else have <= Decimal(v)
    if f == "industry":
        return any(have[: len(p)] == p for p in v)
    if f == "size":
        return have in v
    if f == "division":
        return any(code in have.strip("/").split("/") for code in v)
    if op == "has_all":
        return set(v) <= set(have)
    if op == "has_any":
        return bool(set(v) & set(have))
    return not (set(v) & set(have))


def as_facts(e: dict[str, Any]) -> dict[str, Fact]:
    return {k: Fact(v, "test", "2026-01-01") for k, v in e.items() if v is not None}


@settings(max_examples=300, deadline=None)
@given(enterprises, st.lists(conditions, max_size=6))
def test_evaluation_agrees_with_the_reference(e: dict[str, Any], raw: list[dict[str, Any]]) -> None:
    clean, errors = validate_conditions(raw)
    assert not errors and len(clean) == len(raw)
    result = evaluate(clean, as_facts(e))
    failing = [i for i, c in enumerate(clean) if not reference(c, e)]
    assert [row["ok"] for row in result.trace] == [reference(c, e) for c in clean]
    expected = "qualified" if not failing else "near" if len(failing) == 1 else "not"
    assert result.outcome == expected
    if expected == "near":
        assert result.missing["i"] == failing[0] and result.missing["gap"]
    # A decision replays from its own trace to the same outcome.
    assert evaluate(clean, facts_from_trace(result.trace)).outcome == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5),
                          st.dictionaries(st.sampled_from(["field", "op", "value", "x"]),
                                          st.one_of(st.text(max_size=8), st.integers(-5, 500), st.booleans(),
                                                    st.lists(st.text(max_size=4), max_size=3))))))
def test_validation_refuses_junk_with_a_message_and_never_raises(raw: list[Any]) -> None:
    clean, errors = validate_conditions(raw)
    assert len(clean) + len(errors) == len(raw)
    assert all(e.startswith("Condition ") for e in errors)


def test_near_miss_says_by_how_much() -> None:
    e = {"employees": Decimal(80), "rd_ratio": Decimal("2.5")}
    clean, _ = validate_conditions([{"field": "employees", "op": "gte", "value": 100},
                                    {"field": "rd_ratio", "op": "gte", "value": "2"}])
    result = evaluate(clean, as_facts(e))
    assert result.outcome == "near" and result.missing["field"] == "employees" and result.missing["gap"] == "short by 20"


def test_impossible_ranges_and_wrong_types_are_named() -> None:
    _, errors = validate_conditions([{"field": "rd_ratio", "op": "gte", "value": 150},
                                     {"field": "size", "op": "gte", "value": 3},
                                     {"field": "industry", "op": "prefix", "value": "3670"},
                                     {"field": "employees", "op": "gte", "value": -1}])
    assert [e.split(":")[0] for e in errors] == ["Condition 1", "Condition 2", "Condition 3", "Condition 4"]
    assert "outside the possible range" in errors[0] and "cannot be compared" in errors[1]


@settings(max_examples=100, deadline=None)
@given(st.lists(enterprises, min_size=1, max_size=8), st.lists(st.lists(conditions, max_size=5), min_size=1, max_size=4))
def test_the_setwise_match_agrees_with_one_by_one_evaluation(firms: list[dict[str, Any]],
                                                             rule_sets: list[list[dict[str, Any]]]) -> None:
    from types import SimpleNamespace

    from jingzhi.matching.services.matching import classify

    facts = {i: as_facts(e) for i, e in enumerate(firms, start=1)}
    policies = [(SimpleNamespace(pk=p), SimpleNamespace(conditions=validate_conditions(raw)[0]))
                for p, raw in enumerate(rule_sets, start=1)]
    wanted = classify(policies, facts)  # type: ignore[arg-type]
    for policy, version in policies:
        for eid, f in facts.items():
            result = evaluate(version.conditions, f)
            got = wanted.get((eid, policy.pk))
            assert (got[1] if got else "not") == result.outcome
            if result.outcome == "near":
                assert got is not None and got[2] == result.missing


@settings(max_examples=150, deadline=None)
@given(st.lists(enterprises, min_size=1, max_size=30), st.lists(st.lists(conditions, max_size=5), min_size=1, max_size=4))
def test_the_vectorised_match_agrees_with_one_by_one_evaluation(firms: list[dict[str, Any]],
                                                                rule_sets: list[list[dict[str, Any]]]) -> None:
    """The numpy path (setwise.py: distinct facts, sorted numbers, shared near-miss rows) forced on, whatever the size."""
    from types import SimpleNamespace

    from jingzhi.matching.services.matching import classify

    facts = {i: as_facts(e) for i, e in enumerate(firms, start=1)}
    policies = [(SimpleNamespace(pk=p), SimpleNamespace(conditions=validate_conditions(raw)[0]))
                for p, raw in enumerate(rule_sets, start=1)]
    wanted = classify(policies, facts, setwise=True)  # type: ignore[arg-type]
    assert wanted == classify(policies, facts, setwise=False)  # type: ignore[arg-type]
    for policy, version in policies:
        for eid, f in facts.items():
            result = evaluate(version.conditions, f)
            got = wanted.get((eid, policy.pk))
            assert (got[1] if got else "not") == result.outcome
            if result.outcome == "near":
                assert got is not None and got[2] == result.missing
