"""The restore drill: a populated site is backed up with `jingzhi backup`, restored with `jingzhi restore`
into an empty database (a second SQLite file, or a second PostgreSQL database), and compared table by table."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tarfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = os.environ.get("DATABASE_URL", "")
POSTGRES = URL.startswith("postgres")

POPULATE = r"""
from jingzhi.cli import _migrate, _setup
_setup(None)
_migrate()
from django.core.files.uploadedfile import SimpleUploadedFile
from jingzhi.cases.services import case_dispatch, case_reveal
from jingzhi.core.audit import audit_record
from tests import factories as f
city = f.division("211200", "铁岭市", "city")
hotline = f.unit("SZX", "市民服务热线中心", city, kind="hotline")
housing = f.unit("ZJJ", "市住房和城乡建设局", city)
operator = f.user("operator", hotline, username="operator")
dispatcher = f.user("dispatcher", hotline, username="dispatcher")
for i in range(6):
    upload = SimpleUploadedFile(f"现场照片{i}.jpg", b"JPEG" * (i + 1), content_type="image/jpeg")
    case = f.CaseFactory(actor=operator, division_code=city.code, attachments=[upload])
    case_reveal(case=case, actor=operator, field="requester_phone")
    if i % 2:
        case_dispatch(case=case, actor=dispatcher, unit=housing)
audit_record(actor=None, action="export", object_type="case_list", object_id="all")
"""

COUNTS = r"""
import json
from jingzhi.cli import _setup
_setup(None)
from jingzhi.core.backup import table_counts
print(json.dumps(table_counts()))
"""


def _pg_admin(sql: str) -> None:
    import psycopg

    server = urllib.parse.urlsplit(URL.replace("postgres://", "postgresql://", 1))._replace(path="/postgres")
    with psycopg.connect(urllib.parse.urlunsplit(server), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """Environments of two sites: the source and the empty target of the restore."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JINGZHI_DATA_DIR", "JINGZHI_MEDIA_ROOT")}
    base["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
    base["PYTHONPATH"] = str(ROOT)
    envs = []
    names = []
    for side in ("src", "dst"):
        env = {**base, "JINGZHI_DATA_DIR": str(tmp_path / side)}
        if POSTGRES:
            database = urllib.parse.urlsplit(URL).path.lstrip("/") + f"_drill_{side}"
            names.append(database)
            _pg_admin(f'DROP DATABASE IF EXISTS "{database}"')
            _pg_admin(f'CREATE DATABASE "{database}"')
            env["DATABASE_URL"] = urllib.parse.urlunsplit(urllib.parse.urlsplit(URL)._replace(path=f"/{database}"))
        envs.append(env)
    yield envs[0], envs[1]
    for database in names:
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False)


def _jingzhi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run(env, "-m", "jingzhi", *args)


def _counts(env: dict[str, str]) -> dict[str, int]:
    done = _run(env, "-c", COUNTS)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_restore_drill(sites: tuple[dict[str, str], dict[str, str]], tmp_path: Path) -> None:
    src, dst = sites
    done = _run(src, "-c", POPULATE)
    assert done.returncode == 0, done.stderr
    archive = tmp_path / "site.tar"
    done = _jingzhi(src, "backup", "--out", str(archive))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        members = set(tar.getnames())
    assert manifest["vendor"] == ("postgresql" if POSTGRES else "sqlite")
    assert manifest["tables"]["cases_case"] == 6 and manifest["tables"]["cases_attachment"] == 6
    assert manifest["audit_count"] == manifest["tables"]["core_auditlog"] == 7 and len(manifest["audit_head"]) == 64
    assert manifest["media_files"] == 6 and sum(m.startswith("media/attachments/") for m in members) == 6

    done = _jingzhi(dst, "restore", str(archive))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "audit chain: OK" in done.stdout
    # Each side wrote one audit row since the manifest: "backup" on the source, "restore" on the target.
    source, target = _counts(src), _counts(dst)
    assert target == source
    assert target["core_auditlog"] == manifest["tables"]["core_auditlog"] + 1
    assert {k: v for k, v in target.items() if k != "core_auditlog"} == {
        k: v for k, v in manifest["tables"].items() if k != "core_auditlog"}
    assert len(target) >= 30
    done = _jingzhi(dst, "audit", "verify")
    assert done.returncode == 0 and f"OK: {manifest['audit_count'] + 1} audit rows" in done.stdout
    restored = sorted((Path(dst["JINGZHI_DATA_DIR"]) / "media").rglob("*.jpg"))
    original = sorted((Path(src["JINGZHI_DATA_DIR"]) / "media").rglob("*.jpg"))
    assert [p.read_bytes() for p in restored] == [p.read_bytes() for p in original] and len(restored) == 6

    # A target that holds a site is not overwritten by accident; --force replaces it.
    done = _jingzhi(dst, "restore", str(archive))
    assert done.returncode == 2 and "--force" in done.stderr
    done = _jingzhi(dst, "restore", str(archive), "--force")
    assert done.returncode == 0, done.stderr
    assert _counts(dst)["cases_case"] == 6


def test_restore_refuses_what_is_not_a_backup(sites: tuple[dict[str, str], dict[str, str]], tmp_path: Path) -> None:
    _src, dst = sites
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        tar.add(__file__, arcname="notes.py")
    done = _jingzhi(dst, "restore", str(junk))
    assert done.returncode == 2 and "manifest" in done.stderr
    other = tmp_path / "other.tar"
    body = json.dumps({"format": 1, "version": "0", "vendor": "oracle", "created_at": "", "tables": {},
                       "audit_count": 0, "audit_head": ""}).encode()
    with tarfile.open(other, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        import io

        tar.addfile(info, io.BytesIO(body))
    done = _jingzhi(dst, "restore", str(other))
    assert done.returncode == 2 and "oracle" in done.stderr
