"""The one table of case actions: the case page's forms and the API's input bodies agree with it field by field,
every action a person takes is in it, and both adapters derive their tables from it."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.api.v1.actions import ENDPOINTS, body_for
from jingzhi.cases.actions import CASE_ACTIONS, CaseAction, FieldType, InputField, Target
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.web.views.case_actions import ACTIONS, form_for

# Done by the sweep and the supervision pages, not by the case actions.
NOT_CASE_ACTIONS = {Action.REMIND, Action.FLAG}  # the sweep's; a supervisor's manual 督办 is an entry (issue 11)


def test_every_action_a_person_takes_on_a_case_is_in_the_table_once() -> None:
    names = [entry.action for entry in CASE_ACTIONS]
    assert len(names) == len(set(names)) == 27
    assert set(names) == set(TRANSITIONS) - NOT_CASE_ACTIONS
    assert len({entry.slug for entry in CASE_ACTIONS}) == 27


def test_the_page_and_the_api_are_derived_from_the_table() -> None:
    assert list(ACTIONS) == [entry.action.value for entry in CASE_ACTIONS]
    assert [e.slug for e in ENDPOINTS] == [entry.slug for entry in CASE_ACTIONS]
    for entry, endpoint in zip(CASE_ACTIONS, ENDPOINTS, strict=True):
        assert endpoint.summary == entry.summary
        assert endpoint.body is body_for(entry)
        assert ACTIONS[entry.action].form is form_for(entry)
        assert ACTIONS[entry.action].done is entry.done


@pytest.mark.parametrize("entry", CASE_ACTIONS, ids=[e.slug for e in CASE_ACTIONS])
def test_the_pages_form_carries_exactly_the_tables_page_fields_with_its_labels(entry: CaseAction) -> None:
    form = form_for(entry)()
    fields = {name: field for name, field in form.fields.items() if name != "version"}
    assert set(fields) == {f.name for f in entry.web_fields()}
    for spec in entry.web_fields():
        if spec.label:
            assert str(fields[spec.name].label) == str(spec.label), spec.name
        if spec.type in (FieldType.UNIT, FieldType.CASE_NUMBER, FieldType.BOOLEAN, FieldType.EXTENSION_REQUEST):
            assert fields[spec.name].required == spec.required, spec.name


@pytest.mark.parametrize("entry", CASE_ACTIONS, ids=[e.slug for e in CASE_ACTIONS])
def test_the_api_body_carries_exactly_the_tables_api_fields(entry: CaseAction) -> None:
    body: Any = body_for(entry)()
    fields = {name: field for name, field in body.fields.items() if name != "expected_version"}
    assert ("expected_version" in body.fields) == (entry.target == Target.CASE)
    assert {name: field.required for name, field in fields.items()} == {f.name: f.required for f in entry.api_fields()}


def test_an_action_with_a_known_shape_needs_only_its_entry() -> None:
    """What "adding an action is one entry" means: a new entry with known fields finds its form and its body."""
    entry = CaseAction(Action.NOTE, "escalate", lambda **kw: None,
                       (InputField("reason", FieldType.TEXT, True, "Reason"),), "Escalate.", lambda c: "done")
    assert form_for(entry).__name__ == "ReasonForm"
    assert body_for(entry).__name__ == "ReasonInput"
