"""The classifier in the workflow: suggestions at intake, automatic dispatch above the threshold, the queue below
it, corrections from returns and transfers, the registry (activate, roll back, broken files), training from cases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, Status
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.dispatch import registry
from jingzhi.dispatch.auto import propose
from jingzhi.dispatch.models import ClassifierModel, DispatchCorrection, DispatchSuggestion
from jingzhi.dispatch.stats import accuracy_by_model
from tests.dispatch.conftest import CLEAR
from tests.factories import CaseFactory


def _case(city: Any, text: str, division: str = "211200") -> Case:
    title, _, content = text.partition("，")
    return CaseFactory(actor=city.operator, title=title, content=content or title, division_code=division)


def test_without_an_active_model_cases_wait_and_nothing_is_suggested(routed_city: Any) -> None:
    case = _case(routed_city, CLEAR["城乡建设"])
    assert case.status == Status.ACCEPTED and case.lead_unit is None
    assert not DispatchSuggestion.objects.exists()


def test_above_the_threshold_the_case_is_dispatched_with_model_version_and_confidence(active_model: Any, routed_city: Any) -> None:
    case = _case(routed_city, CLEAR["环境保护"])
    suggestion = DispatchSuggestion.objects.get(case=case)
    assert suggestion.threshold is not None and suggestion.confidence >= suggestion.threshold
    assert suggestion.auto_dispatched and suggestion.model == active_model
    assert [r["label"] for r in suggestion.ranked][0] == "环境保护" and len(suggestion.ranked) == 3
    case.refresh_from_db()
    assert (case.status, case.lead_unit, case.category) == (Status.DISPATCHED, routed_city.env, routed_city.categories["环境保护"])
    event = CaseEvent.objects.filter(case=case, action="dispatch").get()
    assert event.actor is None
    assert event.data["auto"] is True
    assert event.data["model_version"] == active_model.version
    assert event.data["confidence"] == pytest.approx(suggestion.confidence, abs=1e-4)


def test_below_the_threshold_the_case_waits_in_the_queue_with_the_suggestion(active_model: Any, routed_city: Any) -> None:
    # No word of any class: the model is unsure.
    text = "今天天气晴朗"
    proposal = propose(text=text, division=routed_city.city)
    assert proposal is not None and proposal.threshold is not None
    assert proposal.top.confidence < proposal.threshold  # the premise of this test
    case = _case(routed_city, text)
    assert case.status == Status.ACCEPTED and case.lead_unit is None
    suggestion = DispatchSuggestion.objects.get(case=case)
    assert not suggestion.auto_dispatched
    from jingzhi.cases.selectors import dispatcher_queue

    assert case in dispatcher_queue(user=routed_city.dispatcher)


def test_raising_the_target_or_switching_off_keeps_cases_for_the_dispatcher(active_model: Any, routed_city: Any) -> None:
    registry.settings_update(actor=routed_city.dispatcher, target_precision=Decimal("0.9"), auto_dispatch=False)
    case = _case(routed_city, CLEAR["环境保护"])
    assert case.status == Status.ACCEPTED
    assert DispatchSuggestion.objects.get(case=case).lead_unit == routed_city.env  # still suggested
    with pytest.raises(ValidationFailed) as exc:
        registry.settings_update(actor=routed_city.dispatcher, target_precision=Decimal("1.5"), auto_dispatch=True)
    assert set(exc.value.fields) == {"target_precision"}
    with pytest.raises(PermissionDenied):
        registry.settings_update(actor=routed_city.handler, target_precision=Decimal("0.95"), auto_dispatch=True)
    assert registry.settings_get().auto_dispatch is False


def test_without_a_routing_rule_the_route_falls_back_to_the_county_government(active_model: Any, routed_city: Any) -> None:
    # 教育文体 has no routing rule: the case goes to the government of its county (兜底).
    case = _case(routed_city, CLEAR["教育文体"], division="211223")
    suggestion = DispatchSuggestion.objects.get(case=case)
    assert suggestion.lead_unit == routed_city.county_gov
    assert "兜底" in suggestion.route_reason


def test_returns_and_transfers_are_recorded_as_corrections_and_counted(active_model: Any, routed_city: Any) -> None:
    city = routed_city
    wrong = _case(city, CLEAR["环境保护"])
    right = _case(city, CLEAR["城乡建设"])
    assert wrong.status == right.status == Status.DISPATCHED
    s.case_return(case=wrong, actor=city.env_handler, reason="不属于我局职责")
    s.case_redispatch(case=Case.objects.get(pk=wrong.pk), unit=city.housing, actor=city.dispatcher)
    kinds = list(DispatchCorrection.objects.filter(case=wrong).order_by("pk").values_list("kind", "from_unit", "to_unit"))
    assert kinds == [("return", city.env.pk, None), ("redispatch", city.env.pk, city.housing.pk)]
    assert DispatchCorrection.objects.filter(case=wrong, model=active_model, suggested_label="环境保护").count() == 2
    s.case_transfer(case=Case.objects.get(pk=wrong.pk), unit=city.env, actor=city.dispatcher, reason="还是环保问题")
    assert DispatchCorrection.objects.filter(case=wrong, kind="transfer").count() == 1
    [row] = accuracy_by_model()
    assert (row.suggested, row.auto, row.dispatched, row.returned, row.corrected) == (2, 2, 2, 1, 1)
    assert row.first_dispatch_correct_rate == 0.5 and row.return_rate == 0.5 and row.auto_correct_rate == 0.5
    # A return the dispatcher overrules: returned, but the first dispatch was right.
    s.case_return(case=right, actor=city.handler, reason="不归我们管")
    s.case_overrule_return(case=Case.objects.get(pk=right.pk), actor=city.dispatcher, reason="就是住建的事")
    [row] = accuracy_by_model()
    assert (row.returned, row.corrected, row.return_rate, row.first_dispatch_correct_rate) == (2, 1, 1.0, 0.5)
    assert "小区路灯坏了" in {x.text.split(" ")[0] for x in registry.training_samples(level=1)}


def test_corrected_and_closed_cases_form_the_next_training_set(active_model: Any, routed_city: Any) -> None:
    city = routed_city
    # The model sends a 城乡建设 matter to the environment bureau; the dispatcher re-sends it to housing.
    wrong = _case(city, "工厂夜间排放废水，臭气和噪音，其实是小区施工")
    assert wrong.status == Status.DISPATCHED and wrong.lead_unit == city.env
    s.case_return(case=wrong, actor=city.env_handler, reason="不属于我局")
    # Returned but not yet re-sent: the category is still the model's guess and no unit says otherwise.
    assert registry.training_samples(level=1) == []
    s.case_redispatch(case=Case.objects.get(pk=wrong.pk), unit=city.housing, actor=city.dispatcher)
    # A closed case the model got right, and an open one without any correction.
    right = _case(city, CLEAR["城乡建设"])
    Case.objects.filter(pk=right.pk).update(status=Status.CLOSED)
    _case(city, CLEAR["教育文体"])
    samples = {x.text.split(" ")[0]: x.label for x in registry.training_samples(level=1)}
    # the corrected case is labelled by where it finally went (housing ← 城乡建设), not by the model's guess
    assert samples == {"工厂夜间排放废水": "城乡建设", "小区路灯坏了": "城乡建设"}


def test_training_from_too_few_cases_is_refused_and_changes_nothing(active_model: Any, routed_city: Any) -> None:
    with pytest.raises(ValidationFailed, match="Not enough|不足"):
        registry.model_train_from_cases(actor=routed_city.admin, level=1)
    assert list(ClassifierModel.objects.values_list("version", "is_active")) == [(active_model.version, True)]
    with pytest.raises(PermissionDenied):
        registry.model_train_from_cases(actor=routed_city.dispatcher, level=1)


def test_training_from_cases_registers_a_new_version(routed_city: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jingzhi.cases.models import Case as CaseModel
    from tests.dispatch.conftest import make_rows

    monkeypatch.setenv("JINGZHI_DATA_DIR", str(tmp_path))
    for text, label in make_rows(n_per_class=6):
        case = _case(routed_city, text)
        # The final category people settled on, and a closed case (what a real history would hold).
        CaseModel.objects.filter(pk=case.pk).update(category=routed_city.categories[label], status=Status.CLOSED)
    row = registry.model_train_from_cases(actor=routed_city.admin, level=1, activate=True)
    assert row.is_active and Path(row.path).is_file() and str(tmp_path) in row.path
    assert row.metadata["training"]["n"] == 18 and row.metadata["training"]["source"] == "cases:level=1"


def test_activate_rolls_back_and_a_broken_file_leaves_the_active_model(active_model: Any, routed_city: Any, model_file: Path, tmp_path: Path) -> None:
    admin = routed_city.admin
    # a second, different model file
    from jingzhi.dispatch.classifier import artifact
    from jingzhi.dispatch.classifier.data import Sample
    from jingzhi.dispatch.classifier.model import train
    from tests.dispatch.conftest import make_rows

    other = artifact.save(train([Sample(t, y) for t, y in make_rows(n_per_class=10, seed=5)]), tmp_path / "v2.joblib")
    v2 = registry.model_register(actor=admin, path=other, activate=True)
    assert registry.active_model() == v2
    registry.model_activate(actor=admin, model=active_model)  # rollback: one call
    assert registry.active_model() == active_model
    assert ClassifierModel.objects.filter(is_active=True).count() == 1

    # v2's file is damaged after registration: activating it fails clearly, the active model stays.
    registry.clear_cache()
    Path(v2.path).write_bytes(b"garbage")
    with pytest.raises(ValidationFailed, match=v2.version):
        registry.model_activate(actor=admin, model=v2)
    assert registry.active_model() == active_model
    # a missing file cannot be registered at all
    with pytest.raises(ValidationFailed, match="not found"):
        registry.model_register(actor=admin, path=tmp_path / "missing.joblib", activate=True)
    assert registry.active_model() == active_model
    with pytest.raises(PermissionDenied):
        registry.model_activate(actor=routed_city.dispatcher, model=v2)


def test_a_missing_active_model_file_never_blocks_intake(active_model: Any, routed_city: Any) -> None:
    registry.clear_cache()
    Path(active_model.path).unlink()
    case = _case(routed_city, CLEAR["环境保护"])
    assert case.status == Status.ACCEPTED
    assert not DispatchSuggestion.objects.exists()
    assert registry.active_model() == active_model  # still the active one: an administrator decides what next


def test_the_operators_category_wins_over_the_model(active_model: Any, routed_city: Any) -> None:
    case, _ = s.case_create(
        actor=routed_city.operator, channel="hotline", kind="complaint", title="工厂夜间排放废水", content="臭气和噪音严重影响居民",
        division_code="211200", requester_phone="13812345678", category=routed_city.categories["城乡建设"],
    )
    assert case.status == Status.ACCEPTED  # the model says 环境保护, the operator 城乡建设: a person decides
    assert DispatchSuggestion.objects.get(case=case).category == routed_city.categories["环境保护"]


def test_a_rule_pointing_at_an_inactive_unit_leaves_the_case_for_the_dispatcher(active_model: Any, routed_city: Any) -> None:
    from jingzhi.org.models import Unit

    Unit.objects.filter(pk=routed_city.env.pk).update(is_active=False)
    case = _case(routed_city, CLEAR["环境保护"])
    assert (case.status, case.lead_unit, case.category) == (Status.ACCEPTED, None, None)
    suggestion = DispatchSuggestion.objects.get(case=case)
    assert suggestion.confidence >= (suggestion.threshold or 1) and not suggestion.auto_dispatched


def test_a_retry_after_a_crash_before_the_suggestion_gets_the_case_suggested_and_dispatched(
    active_model: Any, routed_city: Any
) -> None:
    """Issue 10 #16: the suggestion runs after the commit; a process that died in between left the case without
    one, and the client's retry returned the case as it was. The retry now runs the (idempotent) hooks again."""
    from jingzhi.cases.hooks import _case_created

    title, _, content = CLEAR["环境保护"].partition("，")
    kwargs: dict[str, Any] = dict(actor=routed_city.operator, channel="hotline", kind="complaint", title=title,
                                  content=content or title, division_code="211200", idempotency_key="retry-after-crash",
                                  requester_name="张三", requester_phone="13812345678")
    saved = list(_case_created)
    _case_created.clear()  # the process "dies" after the commit, before the hooks
    try:
        case, created = s.case_create(**kwargs)
    finally:
        _case_created[:] = saved
    assert created and not DispatchSuggestion.objects.filter(case=case).exists()
    again, created_again = s.case_create(**kwargs)
    assert not created_again and again.pk == case.pk
    assert DispatchSuggestion.objects.filter(case=case).count() == 1
    assert again.status == Status.DISPATCHED and again.category == routed_city.categories["环境保护"]
    s.case_create(**kwargs)  # a third try changes nothing
    assert DispatchSuggestion.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


def test_the_demo_suggests_for_the_cases_waiting_when_its_model_is_trained(routed_city: Any, model_copy: Path) -> None:
    """Issue 11.2: the demo trains its model after playing the cases; those still waiting get the suggestion the queue
    shows, and stay in the queue (a sure suggestion does not dispatch them after the fact)."""
    from jingzhi.demo.loader import _suggest_for_waiting_cases

    waiting = _case(routed_city, CLEAR["环境保护"])
    assert not DispatchSuggestion.objects.exists()
    registry.clear_cache()
    registry.model_register(actor=routed_city.admin, path=model_copy, activate=True)
    try:
        assert _suggest_for_waiting_cases() == 1
        suggestion = DispatchSuggestion.objects.get(case=waiting)
        assert suggestion.ranked[0]["label"] == "环境保护" and suggestion.lead_unit == routed_city.env
        assert suggestion.confidence >= (suggestion.threshold or 0) and not suggestion.auto_dispatched
        waiting.refresh_from_db()
        assert waiting.status == Status.ACCEPTED and waiting.lead_unit is None
        assert _suggest_for_waiting_cases() == 0  # once
    finally:
        registry.clear_cache()
