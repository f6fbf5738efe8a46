"""Request-wide context for the audit log: the client's address, for every row written while serving it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jingzhi.core.audit import request_ip
from jingzhi.core.clientip import client_ip


class AuditContextMiddleware:
    """Services record the IP of the request that called them without each taking the request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with request_ip(client_ip(request)):
            return self.get_response(request)
