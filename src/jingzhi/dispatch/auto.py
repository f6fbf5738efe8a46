"""The classifier in the workflow: suggest at intake, dispatch automatically when sure, learn from corrections."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, Status
from jingzhi.cases.services import case_dispatch
from jingzhi.core.errors import ApplicationError
from jingzhi.dispatch import registry
from jingzhi.dispatch.classifier.base import ModelFileError
from jingzhi.dispatch.models import ClassifierModel, DispatchCorrection, DispatchSuggestion
from jingzhi.dispatch.selectors import Route, route_for
from jingzhi.org.models import Division, Unit
from jingzhi.taxonomy.models import Category

log = logging.getLogger(__name__)
TOP = 3


@dataclass
class Ranked:
    label: str
    confidence: float
    category: Category | None


@dataclass
class Proposal:
    """What the active model says about a text, and where the top category would be routed."""

    model: ClassifierModel
    ranked: list[Ranked]
    threshold: float | None
    route: Route | None
    target_precision: float
    auto_dispatch: bool
    notes: list[str] = field(default_factory=list)

    @property
    def top(self) -> Ranked:
        return self.ranked[0]

    @property
    def sure(self) -> bool:
        """Above the threshold that reached the target precision on held-out data."""
        return self.threshold is not None and self.top.confidence >= self.threshold


def propose(*, text: str, division: Division | None, row: ClassifierModel | None = None) -> Proposal | None:
    """Rank categories for `text` with the active model (`row` when the caller has just read it); None when no model is
    active.

    Raises ModelFileError when the active model's file cannot be loaded.
    """
    row = row or registry.active_model()
    if row is None:
        return None
    model = registry.load_model(row)
    settings = registry.settings_get()
    ranked = [Ranked(s.label, s.confidence, registry.category_for_label(s.label)) for s in model.predict(text, top=TOP)]
    route = route_for(category=ranked[0].category, division=division) if division is not None else None
    notes = []
    if ranked[0].category is None:
        notes.append(_("The label “%(label)s” matches no category of the taxonomy.") % {"label": ranked[0].label})
    return Proposal(
        model=row, ranked=ranked, threshold=model.threshold_for(float(settings.target_precision)), route=route,
        target_precision=float(settings.target_precision), auto_dispatch=settings.auto_dispatch, notes=notes,
    )


def case_suggest_and_route(*, case: Case, may_dispatch: bool = True) -> DispatchSuggestion | None:
    """At intake: record the suggestion and, when the model is sure enough, dispatch the case on it.

    `may_dispatch=False` records the suggestion only (the demo suggests for the cases already waiting when its model
    is trained, and leaves them in the dispatcher's queue).

    The classifier never blocks intake: without an active model, or with a broken model file, the case
    simply waits in the dispatcher's queue (the error is logged and shown on the model page).
    """
    row = registry.active_model()
    if row is None:
        return None  # no model yet (a new city, the demo while it plays its year): asked before anything else
    if DispatchSuggestion.objects.filter(case=case).exists():
        return None  # already suggested (a retried submission runs the intake hooks again)
    try:
        proposal = propose(text=f"{case.title} {case.content}", division=case.division, row=row)
    except ModelFileError as e:
        log.error("dispatch model unavailable, case %s left for the dispatcher: %s", case.number, e)
        return None
    if proposal is None:
        return None
    top, route = proposal.top, proposal.route
    lead: Unit | None = route.lead_unit if route is not None else None
    # A category the operator chose overrides the model: dispatch on the model only when they agree.
    agrees = case.category_id is None or (top.category is not None and top.category.pk == case.category_id)
    # A submission held for review is never dispatched by the system (issue 10): a person releases it first.
    held = getattr(case, "review", "") == "held"
    auto = bool(may_dispatch and proposal.auto_dispatch and proposal.sure and lead is not None and agrees and case.status == Status.ACCEPTED
                and not held)
    suggestion = DispatchSuggestion.objects.create(
        case=case, model=proposal.model, confidence=top.confidence, threshold=proposal.threshold,
        ranked=[{"label": r.label, "confidence": round(r.confidence, 4), "category_id": r.category.pk if r.category else None}
                for r in proposal.ranked],
        category=top.category, lead_unit=lead, route_reason=(route.reason if route else "")[:200],
        auto_dispatched=False, created_at=timezone.now(),
    )
    if not auto:
        return suggestion
    assert lead is not None and route is not None and top.category is not None
    try:
        with transaction.atomic():
            case_dispatch(
                case=case, unit=lead, assisting=route.assisting_units, actor=None,
                category=top.category if case.category_id is None else None,
                note=_("Dispatched automatically: %(category)s, confidence %(confidence).1f%%") % {
                    "category": top.label, "confidence": top.confidence * 100},
                data={"auto": True, "model_version": proposal.model.version, "confidence": round(top.confidence, 4),
                      "threshold": round(proposal.threshold or 0, 4), "category": top.label},
            )
            suggestion.auto_dispatched = True
            suggestion.save(update_fields=["auto_dispatched"])
    except ApplicationError as e:
        # E.g. the routing table points at a unit that no longer takes cases: a person must decide.
        log.warning("automatic dispatch of case %s failed, left for the dispatcher: %s", case.number, e.message)
        suggestion.auto_dispatched = False
    return suggestion


def on_case_created(case: Case) -> bool:
    """The cases hook (cases/hooks.py): True when the case was dispatched, so intake re-reads it."""
    suggestion = case_suggest_and_route(case=case)
    return suggestion is not None and suggestion.auto_dispatched


def correction_record(*, case: Any, kind: str, from_unit: Unit | None, to_unit: Unit | None = None, reason: str = "") -> DispatchCorrection:
    """A return, transfer or re-dispatch: called by those services inside their transaction."""
    suggestion = DispatchSuggestion.objects.filter(case=case).select_related("model").first()
    return DispatchCorrection.objects.create(
        case=case, kind=kind, model=suggestion.model if suggestion else None,
        suggested_label=suggestion.ranked[0]["label"] if suggestion and suggestion.ranked else "",
        from_unit=from_unit, to_unit=to_unit, reason=reason[:2000], created_at=timezone.now(),
    )
