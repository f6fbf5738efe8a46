"""Intake answered from the knowledge base: the intake form sent with an article chosen in the panel beside it.

The panel (knowledge/_intake_panel.html, an htmx fragment of the knowledge app) offers "answer with this and
close" on an inquiry; that button sends the whole intake form here. The case is registered exactly as the
intake page does (same form, same idempotency key, so a retried click finds the first case), then answered
directly with the article (knowledge.services.case_answer_with_article records the article on the case).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.cases.models import Kind, Status
from jingzhi.cases.services import case_create
from jingzhi.core.errors import ApplicationError, PermissionDenied
from jingzhi.knowledge.selectors import intake_scope
from jingzhi.knowledge.services import case_answer_with_article
from jingzhi.org.models import Role
from jingzhi.web.forms.fields import idempotency_key
from jingzhi.web.forms.intake import IntakeForm
from jingzhi.web.views.common import apply_error, role_required
from jingzhi.web.views.intake import INTAKE_NAMESPACE


@require_POST
@role_required(Role.OPERATOR)
def intake_answer(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST, request.FILES)
    article = None
    raw = request.POST.get("kb_article", "")
    if raw.isdigit():
        article = intake_scope(request.user).filter(pk=int(raw)).first()
    error = _("Please correct the marked fields.")
    if article is None:
        error = _("The article chosen is not available any more; choose another one or register the case.")
    elif form.is_valid():
        data = form.cleaned_data
        if data["kind"] != Kind.INQUIRY:
            form.add_error("kind", _("Only an inquiry (咨询) is answered directly from the knowledge base; choose the kind “inquiry”."))
        else:
            try:
                case, _created = case_create(
                    actor=request.user,  # type: ignore[arg-type]
                    channel=data["channel"], kind=data["kind"], priority=data["priority"], title=data["title"],
                    content=data["content"], division_code=data["division"], requester_name=data["requester_name"],
                    requester_phone=data["requester_phone"], requester_id_number=data["requester_id_number"],
                    address=data["address"], attachments=data["attachments"],
                    idempotency_key=idempotency_key(INTAKE_NAMESPACE, data["token"]),
                )
                if case.status == Status.ACCEPTED:
                    case = case_answer_with_article(actor=request.user, case=case, article=article)  # type: ignore[arg-type]
                    messages.success(request, _("Case %(number)s answered with %(ref)s and closed.") % {
                        "number": case.number, "ref": article.ref})
                elif case.status == Status.CLOSED:
                    messages.info(request, _("This form was already submitted: case %(number)s.") % {"number": case.number})
                else:  # the classifier was sure and dispatched it at once; the unit answers it now
                    messages.warning(request, _("Case %(number)s was registered and already dispatched automatically; it was not answered directly.")
                                     % {"number": case.number})
                return redirect("web:case_detail", number=case.number)
            except PermissionDenied as e:
                raise DjangoPermissionDenied(str(e.message)) from None
            except ApplicationError as e:
                error = apply_error(form, e)
    return render(request, "web/intake/form.html", {"form": form, "form_error": error}, status=400)
