"""每月一题 from a hotspot: web joins hotspots and campaigns, which do not import each other (issue 13).

The hotspot page shows the button through hotspots.links (registered in WebConfig.ready); the view records the
proposal on the hotspot and opens the campaigns app's own form, pre-filled from the hotspot.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.campaigns.services.common import may_create
from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.hotspots.models import Hotspot
from jingzhi.hotspots.services import ACTING_ROLES, hotspot_propose_campaign
from jingzhi.org.access import role_of
from jingzhi.org.models import Role, User
from jingzhi.web.views.common import role_required


def campaign_link(hotspot: Hotspot, user: User) -> tuple[str, str] | None:
    """The hotspot page's "propose a campaign" button, for those who may start campaigns and act on hotspots."""
    if not (may_create(user) and role_of(user) in ACTING_ROLES):
        return None
    return _("Propose a campaign (每月一题)"), reverse("web:hotspot_campaign", args=[hotspot.pk])


@require_POST
@role_required(Role.LEADER)
def hotspot_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_create(request.user):  # type: ignore[arg-type]
        raise DjangoPermissionDenied
    try:
        prefill = hotspot_propose_campaign(actor=request.user, hotspot_id=pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except PermissionDenied as e:
        raise DjangoPermissionDenied(str(e.message)) from None
    return redirect(f"{reverse('campaigns:create')}?{urlencode(prefill)}")
