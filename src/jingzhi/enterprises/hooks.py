"""Where apps above enterprises take part when the registry changes, without enterprises importing them (ADR 011).

Policy matching (issue 15, ADR 024) sits above this app: it registers a function from its AppConfig.ready(), and
every registry write (an enterprise saved, its tags, its yearly figures, an import) calls `registry_changed` with
the enterprises it touched. The call is deferred to the commit, so a rolled-back write re-matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

RegistryHook = Callable[[list[int]], object]

_registry_changed: list[RegistryHook] = []


def on_registry_changed(hook: RegistryHook) -> None:
    if hook not in _registry_changed:
        _registry_changed.append(hook)


def registry_changed(enterprise_ids: Iterable[int]) -> None:
    """Run the hooks with these enterprises after the surrounding transaction commits."""
    ids = sorted(set(enterprise_ids))
    if not ids or not _registry_changed:
        return

    def run() -> None:
        for hook in _registry_changed:
            hook(ids)

    transaction.on_commit(run)
