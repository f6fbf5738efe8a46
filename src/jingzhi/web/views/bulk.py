"""Bulk actions on the rows selected in a queue (issue 11): dispatch, acknowledge, assign.

The form carries the selected case numbers and the action's input; cases.actions.perform_bulk runs the one
service per case, and the page says which cases were done and why the others were not.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.cases.actions import BULK_ACTIONS, BY_ACTION, perform_bulk
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.core.errors import ApplicationError
from jingzhi.org.access import role_of
from jingzhi.org.models import User
from jingzhi.web.forms import actions as f
from jingzhi.web.views.common import safe_next

# The bulk form of each action: the case page's form without the version (each case is read afresh).
FORMS: dict[str, type[f.ActionForm]] = {"dispatch": f.DispatchForm, "acknowledge": f.PlainForm, "assign": f.AssignForm}


@login_required
@require_POST
def bulk_action(request: HttpRequest, action: str) -> HttpResponse:
    if action not in BULK_ACTIONS or action not in FORMS:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    if role_of(user) not in TRANSITIONS[Action(action)].roles:
        raise PermissionDenied
    back = safe_next(request, reverse("web:home"))
    form = FORMS[action](data=request.POST)
    form.fields["version"].required = False
    if not form.is_valid():
        problems = "；".join(str(e) for name, errors in form.errors.items() if name != "version" for e in errors)
        messages.error(request, _("Nothing was done: %(problems)s") % {"problems": problems})
        return redirect(back)
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        outcome = perform_bulk(BY_ACTION[action], numbers=request.POST.getlist("cases"), actor=user, values=values)
    except ApplicationError as e:
        messages.error(request, str(e.message))
        return redirect(back)
    label = BY_ACTION[action].label
    if outcome.done:
        messages.success(request, _("%(action)s: %(n)d cases done (%(numbers)s).") % {
            "action": label, "n": len(outcome.done), "numbers": "、".join(outcome.done)})
    for number, reason in outcome.failed:
        messages.error(request, _("%(action)s not done for %(number)s: %(reason)s") % {
            "action": label, "number": number, "reason": reason})
    return redirect(back)
