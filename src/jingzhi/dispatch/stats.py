"""Dispatch accuracy per model version: how often the first dispatch stood, how often cases came back."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from jingzhi.dispatch.models import ClassifierModel, DispatchCorrection, DispatchSuggestion


@dataclass(frozen=True)
class ModelAccuracy:
    model: ClassifierModel
    suggested: int  # cases the model made a suggestion for
    auto: int  # … of which it dispatched by itself
    dispatched: int  # … that have been dispatched (by the model or a person)
    returned: int  # dispatched cases a unit returned (回退) at least once
    corrected: int  # dispatched cases sent on to another unit (re-dispatched or transferred): the first dispatch was wrong
    auto_corrected: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def first_dispatch_correct_rate(self) -> float | None:
        """Dispatched cases that stayed with the first unit (an overruled return counts as correct)."""
        return self._rate(self.dispatched - self.corrected, self.dispatched)

    @property
    def return_rate(self) -> float | None:
        return self._rate(self.returned, self.dispatched)

    @property
    def auto_correct_rate(self) -> float | None:
        return self._rate(self.auto - self.auto_corrected, self.auto)


def accuracy_by_model() -> list[ModelAccuracy]:
    """One row per model version that made suggestions (newest first). Cases count once per model."""
    corrections = DispatchCorrection.objects.filter(case=OuterRef("case"))
    suggestions = DispatchSuggestion.objects.annotate(
        was_returned=Exists(corrections.filter(kind=DispatchCorrection.Kind.RETURN)),
        # The unit changed (re-dispatch after a return, or transfer). A return the dispatcher overruled
        # sends the case back to the same unit: the first dispatch was right after all.
        was_corrected=Exists(corrections.filter(kind__in=[DispatchCorrection.Kind.REDISPATCH, DispatchCorrection.Kind.TRANSFER])),
    )
    dispatched = Q(case__dispatched_at__isnull=False)
    rows = (
        suggestions.values("model")
        .annotate(
            suggested=Count("case", distinct=True),
            auto=Count("case", filter=Q(auto_dispatched=True), distinct=True),
            dispatched=Count("case", filter=dispatched, distinct=True),
            returned=Count("case", filter=dispatched & Q(was_returned=True), distinct=True),
            corrected=Count("case", filter=dispatched & Q(was_corrected=True), distinct=True),
            auto_corrected=Count("case", filter=Q(auto_dispatched=True, was_corrected=True), distinct=True),
        )
    )
    models = {m.pk: m for m in ClassifierModel.objects.all()}
    result = [
        ModelAccuracy(model=models[r["model"]], **{k: r[k] for k in ("suggested", "auto", "dispatched", "returned", "corrected", "auto_corrected")})
        for r in rows
    ]
    return sorted(result, key=lambda r: r.model.created_at, reverse=True)
