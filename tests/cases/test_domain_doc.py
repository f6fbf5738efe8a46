"""docs/domain.md shows the lifecycle and the default time limits as tables generated from the code.

The tables sit between marker comments; these tests render them again from `TRANSITIONS` and `DEFAULT_RULES`
and fail when the document has drifted. To rewrite the tables after a change to the code:

    .venv/bin/python tests/cases/test_domain_doc.py
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "domain.md"


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated:{name} -->\n)(.*?)(<!-- /generated:{name} -->)", re.S)


def lifecycle_table() -> str:
    """Every action of the transition table: its label (English and Chinese), where it starts, where it leads, who."""
    from django.utils import translation

    from jingzhi.cases.models import OPEN_STATUSES, Status
    from jingzhi.cases.transitions import TRANSITIONS, UnitScope

    order = list(Status.values)

    def states(sources: frozenset[str]) -> str:
        if sources == OPEN_STATUSES:
            return "any open status"
        return ", ".join(f"`{s}`" for s in sorted(sources, key=order.index))

    unit_rule = {
        UnitScope.ANY: "",
        UnitScope.LEAD: "of the lead unit",
        UnitScope.LEAD_OR_ASSISTING: "of the lead or an assisting unit",
    }
    lines = [
        "| action | label | 中文 | from | to | who may do it |",
        "|---|---|---|---|---|---|",
    ]
    for action, t in TRANSITIONS.items():
        with translation.override("en"):
            english = str(t.label)
        with translation.override("zh-hans"):
            chinese = str(t.label)
        target = f"`{t.target}`" if t.target else "(status unchanged)"
        if t.roles and unit_rule[t.unit_scope]:
            unit_roles = ", ".join(f"`{r}`" for r in sorted(t.roles - {"admin"}))
            who = f"{unit_roles} {unit_rule[t.unit_scope]}" + ("; `admin`" if "admin" in t.roles else "")
        elif t.roles:
            who = ", ".join(f"`{r}`" for r in sorted(t.roles))
        else:
            who = "the system only (the SLA sweep)"
        lines.append(f"| `{action.value}` | {english} | {chinese} | {states(t.sources)} | {target} | {who} |")
    return "\n".join(lines) + "\n"


def _amount(amount: Decimal, unit: str) -> str:
    if unit == "hours":
        if amount < 1:
            return f"{int(amount * 60)} minutes (around the clock)"
        return f"{amount.normalize():f} h (around the clock)"
    if unit == "working_hours":
        return f"{amount.normalize():f} working hours"
    return f"{amount.normalize():f} working day{'' if amount == 1 else 's'}"


def time_limit_table() -> str:
    """The default rules a new installation starts with (and falls back to for a clock without rules)."""
    from jingzhi.cases.defaults import DEFAULT_RULES

    lines = ["| clock | kind | priority | limit |", "|---|---|---|---|"]
    for clock, kind, priority, amount, unit in DEFAULT_RULES:
        lines.append(f"| `{clock}` | {f'`{kind}`' if kind else 'any'} | {f'`{priority}`' if priority else 'any'} | "
                     f"{_amount(amount, unit)} |")
    return "\n".join(lines) + "\n"


GENERATED = {"lifecycle": lifecycle_table, "time-limits": time_limit_table}


def rewrite(text: str) -> str:
    for name, render in GENERATED.items():
        matches = list(_block(name).finditer(text))
        assert len(matches) == 1, f"docs/domain.md must hold exactly one <!-- generated:{name} --> block"
        text = text[: matches[0].start(2)] + render() + text[matches[0].end(2):]
    return text


def _generated(name: str) -> str:
    match = _block(name).search(DOC.read_text(encoding="utf-8"))
    assert match is not None, f"docs/domain.md has no <!-- generated:{name} --> block"
    return match.group(2)


def test_the_lifecycle_table_in_domain_md_is_the_transition_table() -> None:
    assert _generated("lifecycle") == lifecycle_table(), (
        "docs/domain.md's lifecycle table differs from cases/transitions.py; regenerate it (see this file's docstring)"
    )


def test_the_time_limit_table_in_domain_md_is_the_default_rules() -> None:
    assert _generated("time-limits") == time_limit_table(), (
        "docs/domain.md's time-limit table differs from cases/defaults.py; regenerate it (see this file's docstring)"
    )


def test_the_document_names_every_status_and_role() -> None:
    """The hand-written parts (the states and the roles) mention every value the code knows."""
    from jingzhi.cases.models import Status
    from jingzhi.org.models import Role

    text = DOC.read_text(encoding="utf-8")
    missing = [f"`{v}`" for v in [*Status.values, *Role.values] if f"`{v}`" not in text]
    assert not missing, f"docs/domain.md does not mention {missing}"


if __name__ == "__main__":
    import os

    import django

    sys.path.insert(0, str(DOC.parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhi.settings_test")
    django.setup()
    DOC.write_text(rewrite(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the generated tables of {DOC}")
