"""The facts a programme's conditions read, for each county-level division: its latest yearly figures on file.

Two queries whatever the number of divisions. Each fact carries its value, its source ("division_figures:<year>|
<where the figures come from>") and its year, as an enterprise's facts do (matching/facts.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from jingzhi.matching.programmes.models import DivisionFigures
from jingzhi.matching.rules import DIVISION_FIELDS, Fact
from jingzhi.org.models import Division

NUMBERS = tuple(k for k, spec in DIVISION_FIELDS.items() if spec.kind == "number")
FLAGS = tuple(k for k, spec in DIVISION_FIELDS.items() if spec.kind == "flag")
SOURCE = "division_figures"


def counties() -> Any:
    """The divisions programmes are matched for: every county-level division (县、市、区) of the city."""
    return Division.objects.filter(level=Division.Level.COUNTY).order_by("code")


def division_facts(division_ids: Iterable[int] | None = None) -> dict[int, dict[str, Fact]]:
    """{division id: {field: Fact}} from the latest year of figures of each division (none on file: only `division`)."""
    divisions = counties() if division_ids is None else Division.objects.filter(pk__in=list(division_ids))
    rows = list(divisions.values_list("pk", "path"))
    latest: dict[int, DivisionFigures] = {}
    for fig in DivisionFigures.objects.filter(division_id__in=[pk for pk, _path in rows]).order_by("division_id", "-year"):
        latest.setdefault(fig.division_id, fig)
    out: dict[int, dict[str, Fact]] = {}
    for pk, path in rows:
        facts: dict[str, Fact] = {"division": Fact(path, "division", "")}
        found = latest.get(pk)
        if found is not None:
            fig = found
            source, year = f"{SOURCE}:{fig.year}|{fig.source}", str(fig.year)
            for name in NUMBERS:
                value = getattr(fig, name)
                if value is not None:
                    facts[name] = Fact(value, source, year)
            for name in FLAGS:
                facts[name] = Fact(getattr(fig, name), source, year)
        out[pk] = facts
    return out


def source_label(source: str) -> str:
    """Where a division fact came from, in words: "yearly figures 2025 (统计公报)", or the division tree."""
    if source.startswith(SOURCE + ":"):
        year, _sep, where = source.split(":", 1)[1].partition("|")
        return _("division figures %(year)s (%(where)s)") % {"year": year, "where": where or "—"}
    if source == "division":
        return _("division tree")
    return source
