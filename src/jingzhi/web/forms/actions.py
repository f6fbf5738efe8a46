"""One small form per case action. Each carries the case's version so a stale page cannot overwrite newer work.

Text fields are optional here on purpose: whether a reason is required is the service's rule, and the
service's message is the one the user sees.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.cases import selectors
from jingzhi.cases.models import Outcome, Resolution, Satisfaction
from jingzhi.cases.services import files
from jingzhi.org.selectors import unit_staff_for_choice
from jingzhi.taxonomy.selectors import categories_for_choice, category_path
from jingzhi.web.forms.fields import MultipleFileField, MultipleFileInput, textarea


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.division.name}）"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.division.name}）"


def unit_field(label: Any = None) -> UnitChoiceField:
    return UnitChoiceField(
        label=label or _("Lead unit"), queryset=selectors.units_for_choice(), to_field_name="code",
        empty_label=_("— choose a unit —"), widget=forms.Select(attrs={"data-picker": _("Type to search the units")}),
        error_messages={"required": _("Choose a unit."), "invalid_choice": _("Choose a unit from the list.")},
    )


def assisting_field() -> UnitMultipleChoiceField:
    # Ticks in a short scrolling box (no Ctrl-click); picker.js adds a search box above it.
    return UnitMultipleChoiceField(
        label=_("Assisting units"), queryset=selectors.units_for_choice(), to_field_name="code", required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "pick-list", "data-picker": _("Type to search the units")}),
        help_text=_("Optional; tick as many as needed."),
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return category_path(obj)


def category_field() -> CategoryChoiceField:
    return CategoryChoiceField(
        label=_("Category"), queryset=categories_for_choice(), empty_label=_("— choose a category —"),
        widget=forms.Select(attrs={"data-picker": _("Type to search the categories")}),
        error_messages={"required": _("Choose the case's category."), "invalid_choice": _("Choose a category from the list.")},
    )


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    submit_class = "btn"

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        if case is not None:
            kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)


class PlainForm(ActionForm):
    """Actions with nothing to fill in: acknowledge, close."""


class DispatchForm(ActionForm):
    category = category_field()
    unit = unit_field()
    assisting = assisting_field()
    note = forms.CharField(label=_("Note to the unit"), required=False, widget=textarea(2))
    submit_class = "btn btn-primary"


class UnitReasonForm(ActionForm):
    """Transfer: another unit, and why."""

    unit = unit_field(_("New lead unit"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))


class ReplyForm(ActionForm):
    """The unit's reply (sent, or submitted for the head's review): outcome, text, files (the service checks them)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the reply amounts to.")},
    )
    reply = forms.CharField(label=_("Reply to the requester"), required=False, widget=textarea(5))
    attachments = MultipleFileField(
        label=_("Attachments"), widget=MultipleFileInput(attrs={
            "multiple": True, "accept": ".jpg,.jpeg,.png,.gif,.webp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}),
    )
    submit_class = "btn btn-primary"

    def __init__(self, *args: Any, draft: Any = None, **kwargs: Any) -> None:
        # A returned draft comes back filled in, to be edited and submitted again.
        if draft is not None:
            kwargs.setdefault("initial", {}).update(reply=draft.reply, outcome=draft.outcome)
        super().__init__(*args, **kwargs)
        max_files, max_bytes = files.limits()
        self.fields["attachments"].help_text = _(
            "Photos, PDF or Office documents; at most %(n)d files of %(mb)s MB each.") % {
            "n": max_files, "mb": f"{max_bytes / (1024 * 1024):g}"}


class SuspensionRequestForm(ActionForm):
    reason = forms.CharField(label=_("What are you waiting for?"), required=False, widget=textarea(2))
    resume_by = forms.DateField(
        label=_("Expected to resume by"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class DraftDecisionForm(ActionForm):
    """Approve (note optional) or return (reason) the reply waiting for review; the draft's id makes a decision
    on a stale page fail safely."""

    draft = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, draft: Any = None, **kwargs: Any) -> None:
        if draft is not None:
            kwargs.setdefault("initial", {})["draft"] = draft.pk
        super().__init__(*args, **kwargs)


class DraftApproveForm(DraftDecisionForm):
    note = forms.CharField(label=_("Review note"), required=False, widget=textarea(2))
    submit_class = "btn btn-primary"


class DraftReturnForm(DraftDecisionForm):
    reason = forms.CharField(label=_("What to change"), required=False, widget=textarea(2))


class DirectAnswerForm(ActionForm):
    """直接办结: the operator's answer, without an outcome (the hotline answered, no unit did)."""

    reply = forms.CharField(label=_("Reply to the requester"), required=False, widget=textarea(5))
    submit_class = "btn btn-primary"


class FollowUpCloseForm(ActionForm):
    resolution = forms.ChoiceField(label=_("Resolved?"), choices=[(Resolution.RESOLVED, Resolution.RESOLVED.label)],
                                   initial=Resolution.RESOLVED, widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(
        label=_("Satisfied?"), choices=[(Satisfaction.SATISFIED, Satisfaction.SATISFIED.label),
                                        (Satisfaction.BASICALLY, Satisfaction.BASICALLY.label)],
        widget=forms.RadioSelect, error_messages={"required": _("Choose how satisfied the requester is.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))
    submit_class = "btn btn-primary"


class AssignForm(ActionForm):
    """The unit head's choice of handler: the page offers the lead unit's staff; the service checks the unit."""

    assignee = forms.ModelChoiceField(
        label=_("Handler"), queryset=unit_staff_for_choice(None), empty_label=_("— choose a handler —"),
        error_messages={"required": _("Choose a handler."), "invalid_choice": _("Choose a handler from the list.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self.fields["assignee"].queryset = unit_staff_for_choice(case.lead_unit_id if case is not None else None)  # type: ignore[attr-defined]


class SuperviseForm(ActionForm):
    instruction = forms.CharField(label=_("Instruction to the unit"), required=False, widget=textarea(3))
    deadline = forms.DateField(
        label=_("To be done by"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose a deadline."), "invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    submit_class = "btn btn-primary"


class InstructForm(ActionForm):
    instruction = forms.CharField(label=_("Instruction"), required=False, widget=textarea(3))
    submit_class = "btn btn-primary"


class ExtensionRequestForm(ActionForm):
    working_days = forms.IntegerField(
        label=_("Extra working days"), required=False, min_value=1, widget=forms.NumberInput(attrs={"min": 1, "max": 30})
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))


class ExtensionDecisionForm(ActionForm):
    """Approve or reject one pending request (an extension or a suspension); the request's id makes a decision on
    a stale page fail safely."""

    request = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Decision note"), required=False, widget=textarea(2))

    def __init__(self, *args: Any, extension: Any = None, **kwargs: Any) -> None:
        if extension is not None:
            kwargs.setdefault("initial", {})["request"] = extension.pk
        super().__init__(*args, **kwargs)


class FollowUpForm(ActionForm):
    contacted = forms.TypedChoiceField(
        label=_("Requester reached?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the requester was reached.")},
    )
    resolution = forms.ChoiceField(label=_("Resolved?"), required=False, choices=[("", "—"), *Resolution.choices])
    satisfaction = forms.ChoiceField(label=_("Satisfied?"), required=False, choices=[("", "—"), *Satisfaction.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))
    submit_class = "btn btn-primary"


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Merge into case number"), max_length=30,
        error_messages={"required": _("Enter the number of the case this one duplicates.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))
