"""The public site: citizens submit a request and look it up. No sign-in, nothing personal shown back.

Both doors are rate-limited (web/public_doors.py): a refused try gets a page that says so in plain words,
with HTTP 429 and Retry-After.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from jingzhi.cases.models import Channel, Priority
from jingzhi.cases.services import case_create
from jingzhi.cases.services.review import CAPTCHA
from jingzhi.core import ratelimit
from jingzhi.core.errors import RateLimited, ValidationFailed
from jingzhi.core.masking import mask_personal_data
from jingzhi.org.selectors import division_tree_rows
from jingzhi.web import public_doors
from jingzhi.web.forms.fields import idempotency_key, new_token
from jingzhi.web.forms.intake import PublicLookupForm, PublicSubmitForm, public_upload_limits
from jingzhi.web.selectors import public_stages
from jingzhi.web.views.common import apply_error

PUBLIC_NAMESPACE = "web"
SESSION_KEY = "jingzhi_submitted"
# Room for the form's text fields on top of the attachments, when judging a body by its Content-Length.
_FORM_SLACK = 1024 * 1024


def too_many(request: HttpRequest, error: RateLimited, *, tab: str) -> HttpResponse:
    response = render(request, "web/public/limited.html", {"message": error.message, "tab": tab}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > public_upload_limits()[1] + _FORM_SLACK


@never_cache
@csrf_exempt  # only so that the size check below runs before CSRF middleware reads the body; _submit checks CSRF
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and _body_too_large(request):
        # Refused on the declared size, before the body is read or anything is written (even a temporary file).
        max_files, max_bytes = public_upload_limits()
        error = _("The request is too large: attach at most %(files)d files of at most %(mb)d MB together.") % {
            "files": max_files, "mb": max_bytes // (1024 * 1024)}
        form = PublicSubmitForm(initial={"token": new_token()})
        return render(request, "web/public/submit.html", _context(form, error), status=413)
    return _submit(request)


@csrf_protect
def _submit(request: HttpRequest) -> HttpResponse:
    try:
        public_doors.submission_allowed(request)
    except RateLimited as e:
        return too_many(request, e, tab="submit")
    captcha = public_doors.captcha_required(request)
    if request.method != "POST":
        form = PublicSubmitForm(initial={"token": new_token()}, captcha=captcha)
        return render(request, "web/public/submit.html", _context(form))
    form = PublicSubmitForm(request.POST, request.FILES, captcha=captcha)
    error = _("Please correct the marked fields.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case, created = case_create(
                actor=None,
                channel=Channel.WEB,
                kind=data["kind"],
                priority=Priority.NORMAL,
                title=data["title"],
                content=data["content"],
                division_code=data["division"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                contact_preference=data["contact_preference"],
                address=data["address"],
                attachments=data["attachments"],
                idempotency_key=idempotency_key(PUBLIC_NAMESPACE, data["token"]),
                screen=[CAPTCHA] if captcha else [],
            )
        except ValidationFailed as e:
            error = apply_error(form, e)
        else:
            if created:
                public_doors.submission_counted(request)
            # The number travels in the session, not the URL: a confirmation page must not be a way to probe numbers.
            request.session[SESSION_KEY] = case.number
            return redirect("web:public_submitted")
    return render(request, "web/public/submit.html", _context(form, error), status=400)


def _context(form: PublicSubmitForm, error: str = "") -> dict[str, Any]:
    max_files, max_bytes = public_upload_limits()
    return {"form": form, "form_error": error, "tab": "submit", "max_files": max_files, "max_mb": max_bytes // (1024 * 1024)}


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
        try:
            case = public_doors.guarded_lookup(
                request=request, number=form.cleaned_data["number"], phone_last4=form.cleaned_data["phone_last4"])
        except RateLimited as e:
            return too_many(request, e, tab="lookup")
    else:  # an empty or malformed form still counts against the address
        try:
            ratelimit.enforce(public_doors.LOOKUP, ratelimit.client_ip(request), request=request)
        except RateLimited as e:
            return too_many(request, e, tab="lookup")
    context = {"form": form, "case": case, "stages": public_stages(case) if case else [], "not_found": case is None, "tab": "lookup",
               "public_title": mask_personal_data(case.title) if case else ""}
    return render(request, "web/public/lookup.html", context)





# The tree changes a few times a year: the rows are kept in each process (org.selectors.division_tree_rows) and
# browsers and proxies may keep the answer for a while, so this door needs no rate limit of its own (it reveals only
# the public GB/T 2260 codes and names that the submit form's select already lists).
DIVISIONS_MAX_AGE = 300


@require_GET
@cache_control(public=True, max_age=DIVISIONS_MAX_AGE)
def divisions(request: HttpRequest) -> JsonResponse:
    """County → township → community, for the cascading 区划 picker on the submit form (static/jingzhi/cascade.js)."""
    return JsonResponse({"divisions": division_tree_rows()}, json_dumps_params={"ensure_ascii": False})
