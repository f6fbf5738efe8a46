"""The facts rules read, built in bulk from the registry (org): one dict of Fact per enterprise.

Five queries whatever the number of enterprises: the enterprises with their divisions, their tags, their yearly
figures, their standing dishonesty records. Figures are the latest year on file (the trace says which).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jingzhi.matching.models import DishonestyRecord
from jingzhi.matching.rules import Fact
from jingzhi.org.models import Enterprise, EnterpriseFigures, EnterpriseTag

REGISTRY = "registry"


def facts_for(enterprise_ids: Iterable[int] | None = None, *, on: date | None = None,
              stamp: bool = True) -> dict[int, dict[str, Fact]]:
    """Facts of the given enterprises (all when None), as they stand on `on` (today by default).

    Registry fields carry `on` as their date; with stamp=False they carry none, so that a snapshot of unchanged
    facts is the same row from one day to the next (the snapshot's taken_on then dates them).
    """
    on = on or timezone.localdate()
    ids = None if enterprise_ids is None else list(enterprise_ids)
    qs = Enterprise.objects.all() if ids is None else Enterprise.objects.filter(pk__in=ids)
    rows = list(qs.values_list("pk", "industry", "size", "employees", "created_at", "division__path"))
    tags: dict[int, set[str]] = defaultdict(set)
    figures: dict[int, tuple[Any, ...]] = {}
    dishonest: dict[int, str] = {}
    scope = (lambda q: q) if ids is None else (lambda q: q.filter(enterprise_id__in=ids))
    for eid, tag in scope(EnterpriseTag.objects.all()).values_list("enterprise_id", "tag"):
        tags[eid].add(tag)
    fig_qs = scope(EnterpriseFigures.objects.all()).order_by("enterprise_id", "-year")
    for eid, year, output, tax, rd, staff in fig_qs.values_list("enterprise_id", "year", "output", "tax", "rd_spend",
                                                                "employees"):
        figures.setdefault(eid, (year, output, tax, rd, staff))
    standing = scope(DishonestyRecord.objects.filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on), listed_on__lte=on))
    for eid, authority, listed in standing.values_list("enterprise_id", "authority", "listed_on"):
        dishonest[eid] = f"{authority} {listed.isoformat()}"
    today = on.isoformat() if stamp else ""
    out: dict[int, dict[str, Fact]] = {}
    for eid, industry, size, employees, created, path in rows:
        registered = timezone.localdate(created)
        years = on.year - registered.year - ((on.month, on.day) < (registered.month, registered.day))
        f: dict[str, Fact] = {
            "industry": Fact(industry or None, REGISTRY, today),
            "size": Fact(size or None, REGISTRY, today),
            "tags": Fact(sorted(tags.get(eid, ())), REGISTRY, today),
            "division": Fact(path, REGISTRY, today),
            "years_registered": Fact(max(years, 0), "registry:registered_at", registered.isoformat()),
            "dishonest": Fact(eid in dishonest, "dishonesty_records", dishonest.get(eid, today)),
        }
        fig = figures.get(eid)
        if fig is not None:
            year, output, tax, rd, staff = fig
            source = f"figures:{year}"
            f["output"] = Fact(output, source, str(year))
            f["tax"] = Fact(tax, source, str(year))
            f["rd_spend"] = Fact(rd, source, str(year))
            if output and rd is not None:
                f["rd_ratio"] = Fact((Decimal(rd) * 100 / Decimal(output)).quantize(Decimal("0.01")), source, str(year))
            f["employees"] = Fact(employees if employees is not None else staff, REGISTRY if employees is not None
                                  else source, today if employees is not None else str(year))
        else:
            f["employees"] = Fact(employees, REGISTRY, today)
        out[eid] = {k: v for k, v in f.items() if v.value is not None or k in ("tags", "dishonest")}
    return out
