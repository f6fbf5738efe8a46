"""Forms of the knowledge pages; they only parse, the services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.knowledge.models import Synonym
from jingzhi.org.models import Unit
from jingzhi.taxonomy.models import Category


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    questions = forms.CharField(label=_("Question forms"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("One way people ask per line."))
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                             help_text=_("Plain text; web addresses become links."))
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.filter(is_active=True), required=True)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    sources = forms.CharField(label=_("Policy sources"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One policy document or link per line."))
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    review_due = forms.DateField(label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_public = forms.BooleanField(label=_("Public"), required=False, help_text=_("Shown on the public pages once published."))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the responsible unit is fixed once the article exists
            del self.fields["unit"]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FromCaseForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=32)


class SynonymForm(forms.Form):
    words = forms.CharField(label=_("Words"), max_length=300, help_text=Synonym._meta.get_field("words").help_text)
