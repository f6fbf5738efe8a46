"""Reads of the organisation that every page of every app uses."""

from __future__ import annotations

from jingzhi.org.models import Division


def division_choices(*, max_depth: int | None = None) -> list[tuple[str, str]]:
    """(code, label) for every division in tree order; the label is indented by depth."""
    rows = Division.objects.order_by("path").values_list("code", "name", "path")
    choices: list[tuple[str, str]] = []
    for code, name, path in rows:
        depth = max(path.count("/") - 2, 0)
        if max_depth is not None and depth > max_depth:
            continue
        # Full-width spaces keep the indentation inside a <select>, where ordinary spaces collapse.
        choices.append((code, "\u3000" * depth + name))
    return choices
