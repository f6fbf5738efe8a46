"""The client's address for the audit log, rate limits and sign-in lockouts: the socket's peer, or what our proxies saw."""

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
    """REMOTE_ADDR, unless JINGZHI_PROXY_COUNT says how many of our own proxies append to X-Forwarded-For.

    The one rule for the client's address: the audit log, the public doors' rate limits, API key throttling,
    DRF's throttles (NUM_PROXIES) and django-axes (AXES_IPWARE_PROXY_COUNT) all follow the same setting.
    The header is honoured only when configured: anyone can send an X-Forwarded-For. With N proxies, the
    client is the N-th entry from the right (the address the outermost proxy saw).
    """
    meta = getattr(request, "META", {}) or {}
    proxies = int(getattr(settings, "JINGZHI_PROXY_COUNT", 0) or 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            found = _valid(hops[-min(proxies, len(hops))])
            if found:
                return found
    return _valid(meta.get("REMOTE_ADDR", "") or "")
