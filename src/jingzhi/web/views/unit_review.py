"""The unit head's side of reply review (审核): the replies waiting in the unit, and the unit's own setting
whether its handlers' replies are reviewed at all (administrators change any unit's in the admin)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.cases import selectors
from jingzhi.cases.services.review_policy import reply_review_policy_set, unit_reviews_replies
from jingzhi.core.errors import ApplicationError
from jingzhi.org.models import Role, User
from jingzhi.web import lists
from jingzhi.web.views.common import role_required


class ReviewPolicyForm(forms.Form):
    review_replies = forms.BooleanField(
        label=gettext_lazy("Handlers' replies go to the unit head for review before they reach the requester"),
        required=False,
    )


@role_required(Role.UNIT_HEAD)
def review_queue(request: HttpRequest) -> HttpResponse:
    """The replies of the unit's handlers waiting for this head's review, the oldest first."""
    user: User = request.user  # type: ignore[assignment]
    page = lists.paginate(request, selectors.review_queue(user=user))
    return render(request, "web/queues/reviews.html", {
        "page": page, "drafts": list(page.object_list), "now": timezone.now(), "unit_tab": "reviews",
        "review_count": page.paginator.count, "reviews_on": unit_reviews_replies(user.unit_id),
    })


@role_required(Role.UNIT_HEAD)
def review_policy(request: HttpRequest) -> HttpResponse:
    """The unit head turns the review of the unit's replies on or off (audited by the service)."""
    user: User = request.user  # type: ignore[assignment]
    if user.unit is None:  # an administrator without a unit sets units' policies in the admin
        raise DjangoPermissionDenied
    if request.method == "POST":
        form = ReviewPolicyForm(request.POST)
        if form.is_valid():
            try:
                row = reply_review_policy_set(actor=user, unit=user.unit, review_replies=form.cleaned_data["review_replies"])
            except ApplicationError as e:
                messages.error(request, str(e.message))
            else:
                messages.success(request, _("Replies of %(unit)s now go to the unit head first.") % {"unit": user.unit}
                                 if row.review_replies else
                                 _("Replies of %(unit)s now go out directly.") % {"unit": user.unit})
                return redirect(reverse("web:review_policy"))
    else:
        form = ReviewPolicyForm(initial={"review_replies": unit_reviews_replies(user.unit_id)})
    return render(request, "web/queues/review_policy.html", {"form": form, "unit": user.unit, "unit_tab": "settings"})
