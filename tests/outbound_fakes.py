"""Stand-ins for a city's provider, importable by dotted path from the settings (the gateway tests)."""

from __future__ import annotations

from typing import ClassVar

from jingzhi.core.gateway import LoggingGateway


class FlakyGateway(LoggingGateway):
    """Fails the first `failures` SMS, then sends (a provider's outage, in this process only)."""

    failures = 0
    sent: ClassVar[list[str]] = []

    def send_sms(self, *, phone: str, text: str) -> str:
        if FlakyGateway.failures > 0:
            FlakyGateway.failures -= 1
            raise ConnectionError("provider unreachable")
        FlakyGateway.sent.append(phone)
        return f"p-{len(FlakyGateway.sent)}"


legacy_calls: list[tuple[str, str]] = []


def legacy_send(*, phone: str, text: str, kind: str) -> str:
    """Early warning's earlier adapter signature."""
    legacy_calls.append((phone, kind))
    return "legacy-1"
