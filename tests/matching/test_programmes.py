"""Divisions to programmes: the rules over division facts, matching with the near miss and its gap, replay after a
revision, re-matching after a figure changes, bad input refused with the condition named (ADR 028)."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.core.audit import AuditLog
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.matching.programmes.facts import division_facts
from jingzhi.matching.programmes.matching import evaluate_division, replay
from jingzhi.matching.programmes.models import DivisionMatch, Programme, ProgrammeEvent
from jingzhi.matching.programmes.services import (
    figures_set,
    programme_create,
    programme_publish,
    programme_revise,
)
from jingzhi.matching.rules import DIVISION_FIELDS, FIELDS, Fact, validate_conditions
from tests.matching.programme_fixtures import XIFENG, ZONE, make_prog

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_division_table_refuses_unknown_fields_wrong_types_and_impossible_ranges() -> None:
    _clean, errors = validate_conditions([
        {"field": "grain_output", "op": "gte", "value": "50"},
        {"field": "employees", "op": "gte", "value": "10"},      # an enterprise's field, not a division's
        {"field": "grain_output", "op": "gte", "value": "很多"},
        {"field": "forest_cover", "op": "gte", "value": "150"},  # a share over 100 %
        {"field": "water_plan", "op": "is", "value": "maybe"},
        {"field": "gdp", "op": "has_all", "value": "1"},
    ], fields=DIVISION_FIELDS)
    assert [e.split(":")[0] for e in errors] == ["Condition 2", "Condition 3", "Condition 4", "Condition 5", "Condition 6"]
    assert "unknown field “employees”" in errors[0] and "needs a number" in errors[1] and "outside the possible range" in errors[2]
    # The enterprise table is untouched: the same call without `fields` knows employees and not grain output.
    assert validate_conditions([{"field": "employees", "op": "gte", "value": "10"}])[1] == []
    assert "grain_output" not in FIELDS


def test_evaluation_over_division_facts_names_the_near_miss_and_by_how_much() -> None:
    facts = {"division": Fact("/211200/211223/", "division", ""), "provincial_demo": Fact(True, "division_figures:2025|公报", "2025"),
             "primary_share": Fact("30", "s", "2025"), "grain_output": Fact("45", "s", "2025"), "mechanisation": Fact("91", "s", "2025")}
    r = evaluate_division(ZONE["conditions"], facts)
    assert r.outcome == "near" and r.missing["field"] == "grain_output" and r.missing["gap"] == "short by 5"
    assert [row["ok"] for row in r.trace] == [True, True, False, True]
    facts["provincial_demo"] = Fact(False, "s", "2025")
    r = evaluate_division(ZONE["conditions"], facts)
    assert r.outcome == "not" and r.trace[0]["gap"] == "not held"
    del facts["mechanisation"]
    facts["provincial_demo"], facts["grain_output"] = Fact(True, "s", "2025"), Fact("60", "s", "2025")
    assert evaluate_division(ZONE["conditions"], facts).missing["gap"] == "no data"


def test_counties_are_matched_with_a_trace_of_value_source_and_year(city: Any) -> None:
    prog = make_prog(city)
    ky = DivisionMatch.objects.get(programme=prog.programme, division=city.county_b)
    xf = DivisionMatch.objects.get(programme=prog.programme, division=city.county_a)
    assert ky.outcome == "qualified" and xf.outcome == "near"
    assert xf.missing["field"] == "grain_output" and xf.missing["gap"] == "short by 5"
    row = replay(ky.version, ky.facts).trace[2]
    assert (row["actual"], row["source"], row["as_of"]) == ("100.00", "division_figures:2025|2025年统计公报", "2025")


def test_a_figure_change_re_matches_the_county_after_its_commit(city: Any) -> None:
    prog = make_prog(city)
    figures_set(actor=city.env_handler, division=city.county_a, year=2025, values={**XIFENG, "grain_output": "52"},
                source="2025年统计公报（修订）")
    m = DivisionMatch.objects.get(programme=prog.programme, division=city.county_a)
    assert m.outcome == "qualified" and m.missing == {}
    assert ProgrammeEvent.objects.filter(division=city.county_a, action="figures").count() == 2
    assert AuditLog.objects.filter(action="division_figures.set").count() == 3


def test_an_old_decision_replays_with_its_own_rules_after_a_revision(city: Any) -> None:
    prog = make_prog(city)
    before = DivisionMatch.objects.get(programme=prog.programme, division=city.county_b)
    v1, facts1 = before.version, before.facts
    stricter = {**ZONE, "conditions": [*ZONE["conditions"][:3], {"field": "mechanisation", "op": "gte", "value": "95"}]}
    v2 = programme_revise(actor=city.env_handler, programme=prog.programme, content=stricter)
    after = DivisionMatch.objects.get(programme=prog.programme, division=city.county_b)
    assert after.version == v2 and after.outcome == "near" and after.missing["gap"] == "short by 5"
    assert replay(v1, facts1).outcome == "qualified"  # the old decision, with the rules then in force
    assert v1.conditions[3]["value"] == "88"


def test_bad_programmes_are_refused_and_change_nothing(city: Any) -> None:
    make_prog(city)
    with pytest.raises(ValidationFailed) as e:
        programme_create(actor=city.env_handler, content={**ZONE, "conditions": [
            {"field": "turnover", "op": "gte", "value": "1"}, {"field": "primary_share", "op": "gte", "value": "250"}]})
    assert "Condition 1: unknown field “turnover”" in e.value.fields["conditions"]
    assert "Condition 2:" in e.value.fields["conditions"] and "outside the possible range" in e.value.fields["conditions"]
    draft, _ = programme_create(actor=city.env_handler, content={**ZONE, "window_opens": "", "window_closes": ""})
    with pytest.raises(ValidationFailed, match="without an application window"):
        programme_publish(actor=city.env_handler, programme=draft)
    assert Programme.objects.get(pk=draft.pk).status == "draft" and Programme.objects.count() == 2
    with pytest.raises(PermissionDenied):
        programme_create(actor=city.handler, content=dict(ZONE))  # not a programme office
    with pytest.raises(ValidationFailed) as e:
        figures_set(actor=city.env_handler, division=city.county_a, year=2025, values={"forest_cover": "130", "gdp": "x"},
                    source="")
    assert set(e.value.fields) == {"forest_cover", "gdp", "source"}


def test_division_facts_take_the_latest_year(city: Any) -> None:
    make_prog(city)
    figures_set(actor=city.env_handler, division=city.county_a, year=2024, values={"grain_output": "60"}, source="2024年公报")
    facts = division_facts([city.county_a.pk])[city.county_a.pk]
    assert facts["grain_output"].value == 45 and facts["grain_output"].as_of == "2025"
