"""The client's address for the audit log and rate limits: the socket's peer, or a trusted proxy's header."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR, unless JINGZHI_TRUSTED_PROXY_HEADER names the header our own reverse proxy sets.

    The header is honoured only when configured: anyone can send an X-Forwarded-For. Of a list
    (X-Forwarded-For: client, proxy1), the last entry is the one our proxy appended.
    """
    meta = getattr(request, "META", {}) or {}
    header = getattr(settings, "JINGZHI_TRUSTED_PROXY_HEADER", "")
    if header:
        raw = meta.get("HTTP_" + header.upper().replace("-", "_"), "")
        if raw:
            found = _valid(raw.split(",")[-1])
            if found:
                return found
    return _valid(meta.get("REMOTE_ADDR", "") or "")
