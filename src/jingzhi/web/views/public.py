"""The public site: citizens submit a request and look it up. No sign-in, nothing personal shown back."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jingzhi.cases.models import Channel, Priority
from jingzhi.cases.services import case_create
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.masking import mask_personal_data
from jingzhi.web.forms.fields import idempotency_key, new_token
from jingzhi.web.forms.intake import PublicLookupForm, PublicSubmitForm
from jingzhi.web.selectors import public_case_lookup, public_stages
from jingzhi.web.views.common import apply_error

PUBLIC_NAMESPACE = "web"
SESSION_KEY = "jingzhi_submitted"


@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = PublicSubmitForm(initial={"token": new_token()})
        return render(request, "web/public/submit.html", {"form": form, "tab": "submit"})
    form = PublicSubmitForm(request.POST, request.FILES)
    error = _("Please correct the marked fields.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = case_create(
                actor=None,
                channel=Channel.WEB,
                kind=data["kind"],
                priority=Priority.NORMAL,
                title=data["title"],
                content=data["content"],
                division_code=data["division"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                address=data["address"],
                attachments=data["attachments"],
                idempotency_key=idempotency_key(PUBLIC_NAMESPACE, data["token"]),
            )
        except ValidationFailed as e:
            error = apply_error(form, e)
        else:
            # The number travels in the session, not the URL: a confirmation page must not be a way to probe numbers.
            request.session[SESSION_KEY] = case.number
            return redirect("web:public_submitted")
    return render(request, "web/public/submit.html", {"form": form, "form_error": error, "tab": "submit"}, status=400)


@never_cache
def submitted(request: HttpRequest) -> HttpResponse:
    number = request.session.get(SESSION_KEY)
    if not number:
        return redirect("web:public_submit")
    return render(request, "web/public/submitted.html", {"number": number, "tab": "submit"})


@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """Number + last four digits of the phone → the public stages. Every miss reads the same.

    A POST, so that the digits stay out of server logs and browser history.
    """
    if request.method != "POST":
        return render(request, "web/public/lookup.html", {"form": PublicLookupForm(), "tab": "lookup"})
    form = PublicLookupForm(request.POST)
    case = None
    if form.is_valid():
        case = public_case_lookup(number=form.cleaned_data["number"], phone_last4=form.cleaned_data["phone_last4"])
    context = {"form": form, "case": case, "stages": public_stages(case) if case else [], "not_found": case is None, "tab": "lookup",
               "public_title": mask_personal_data(case.title) if case else ""}
    return render(request, "web/public/lookup.html", context)
