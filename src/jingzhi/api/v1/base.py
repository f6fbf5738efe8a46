"""The base of every REST endpoint."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.views import APIView

from jingzhi.core.errors import ValidationFailed

# Printable ASCII, as the IETF idempotency-key draft suggests; long enough for a UUID with a prefix.
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")


def idempotency_key(request: Request) -> str:
    """The request's Idempotency-Key header ("" when absent), or a field error when it is malformed."""
    raw = request.headers.get("Idempotency-Key", "")
    if raw and not _IDEMPOTENCY_KEY.match(raw):
        msg = _("The Idempotency-Key header must be 1 to 64 printable ASCII characters.")
        raise ValidationFailed(msg, fields={"Idempotency-Key": msg})
    return raw


class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Throttle before the permission check, so anonymous callers hammering the API get 429, not endless 401s.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)
