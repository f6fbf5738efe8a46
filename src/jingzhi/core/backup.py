"""Backup and restore of a whole site: the database and the attachments (MEDIA_ROOT), in one tar file.

The archive holds `manifest.json` (format, Jingzhi version, database vendor, row counts per table,
the audit chain's head and length, time), `db.dump` (PostgreSQL: pg_dump custom format) or
`db.sqlite3` (SQLite: the online backup API, consistent while the site runs), and `media/`.
It is written with permissions 0600: it holds personal data and password hashes.

Restore refuses a target that already holds a site unless forced, refuses an archive of another
vendor, and afterwards compares every table's row count with the manifest and verifies the audit chain.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

import jingzhi
from jingzhi.core.audit import audit_record, audit_verify
from jingzhi.core.errors import ValidationFailed

FORMAT = 1
MANIFEST = "manifest.json"
# A target holding any of these rows already is a site: restoring over it needs --force.
SITE_TABLES = ("org_user", "org_division", "org_unit", "cases_case", "core_auditlog")


@dataclass
class Manifest:
    format: int
    version: str
    vendor: str
    created_at: str
    tables: dict[str, int]
    audit_count: int
    audit_head: str
    media_files: int = 0

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as e:
            raise ValidationFailed(_("The archive's manifest is incomplete: %(error)s") % {"error": e}) from e


@dataclass
class RestoreReport:
    manifest: Manifest
    tables: int
    rows: int
    seconds: float
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    audit_ok: bool = True
    audit_message: str = ""

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.audit_ok


# ------------------------------------------------------------------------------------------------ the database


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's own included), by table name."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            if name.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 — a table name from the catalogue
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _pg_env_and_dbname() -> tuple[dict[str, str], str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    return env, str(db["NAME"])


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 — fixed programs
    if done.returncode != 0:
        raise ValidationFailed(_("%(program)s failed: %(error)s") % {"program": args[0], "error": done.stderr.strip()[-2000:]})


def _dump_database(target: Path) -> str:
    """Write the database to `target`; return the archive member name."""
    if connection.vendor == "postgresql":
        env, name = _pg_env_and_dbname()
        _run([shutil.which("pg_dump") or "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", f"--dbname={name}"], env)
        return "db.dump"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while other threads keep writing.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return "db.sqlite3"
    raise ValidationFailed(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor})


def _restore_database(member: Path, vendor: str) -> None:
    if vendor == "postgresql":
        env, name = _pg_env_and_dbname()
        connection.close()  # our own session must not hold locks on the tables pg_restore drops
        _run([shutil.which("pg_restore") or "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={name}", str(member)], env)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(member)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()


def site_present() -> bool:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for name in SITE_TABLES:
            if name in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(name)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


# ----------------------------------------------------------------------------------------------------- backup


def backup_create(*, out: Path, actor: Any = None) -> Manifest:
    """Write the archive to `out` (0600). The backup is audited after it is taken, so it is not in itself."""
    out = Path(out)
    media_root = Path(settings.MEDIA_ROOT)
    report = audit_verify()
    with tempfile.TemporaryDirectory(prefix="jingzhi-backup-") as tmp:
        dump = Path(tmp) / "db"
        member = _dump_database(dump)
        counts = table_counts()
        media = [p for p in sorted(media_root.rglob("*")) if p.is_file()] if media_root.is_dir() else []
        manifest = Manifest(
            format=FORMAT, version=jingzhi.__version__, vendor=connection.vendor,
            created_at=timezone.now().isoformat(), tables=counts, audit_count=report.count, audit_head=report.head,
            media_files=len(media),
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
            body = manifest.as_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(body))
            tar.add(dump, arcname=member)
            for path in media:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        os.replace(partial, out)
    audit_record(actor=actor, action="backup", object_type="site", object_id=out.name,
                 detail={"bytes": out.stat().st_size, "rows": sum(counts.values()), "audit_head": report.head})
    return manifest


# ---------------------------------------------------------------------------------------------------- restore


def read_manifest(archive: Path) -> Manifest:
    with tarfile.open(archive, mode="r") as tar:
        try:
            handle = tar.extractfile(MANIFEST)
        except KeyError:
            handle = None
        if handle is None:
            raise ValidationFailed(_("This file is not a Jingzhi backup: it has no manifest."))
        return Manifest.parse(handle.read())


def backup_restore(*, archive: Path, force: bool = False) -> RestoreReport:
    """Restore database and attachments from `archive`, then check row counts and the audit chain."""
    started = time.monotonic()
    archive = Path(archive)
    if not archive.is_file():
        raise ValidationFailed(_("There is no file %(path)s.") % {"path": archive})
    try:
        manifest = read_manifest(archive)
    except (tarfile.TarError, json.JSONDecodeError) as e:
        raise ValidationFailed(_("This file is not a Jingzhi backup: %(error)s") % {"error": e}) from e
    if manifest.format != FORMAT:
        raise ValidationFailed(_("This backup has format %(found)s; this version reads format %(known)s.")
                               % {"found": manifest.format, "known": FORMAT})
    if manifest.vendor != connection.vendor:
        raise ValidationFailed(_("This backup is of a %(archive)s database; the target is %(target)s.")
                               % {"archive": manifest.vendor, "target": connection.vendor})
    if not force and site_present():
        raise ValidationFailed(_("The target database already holds a site; restore with --force to replace it."))
    member = "db.dump" if manifest.vendor == "postgresql" else "db.sqlite3"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="jingzhi-restore-") as tmp, tarfile.open(archive, mode="r") as tar:
        names = tar.getnames()
        if member not in names:
            raise ValidationFailed(_("The archive has no database (%(member)s).") % {"member": member})
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        tar.extract(member, path=tmp, filter="data")
        _restore_database(Path(tmp) / member, manifest.vendor)
        media = [m for m in tar.getmembers() if m.name.startswith("media/") and m.isfile()]
        media_root.mkdir(parents=True, exist_ok=True)
        for item in media:
            item.name = item.name[len("media/"):]
            tar.extract(item, path=media_root, filter="data")
    counts = table_counts()
    mismatches = {name: (expected, counts.get(name, -1))
                  for name, expected in manifest.tables.items() if counts.get(name, -1) != expected}
    chain = audit_verify()
    audit_ok = chain.ok and chain.head == manifest.audit_head and chain.count == manifest.audit_count
    message = (f"OK {chain.count}" if audit_ok else
               f"broken at row {chain.broken_id}: {chain.reason}" if not chain.ok else
               f"head {chain.head[:12]}… ({chain.count} rows) differs from the manifest's "
               f"{manifest.audit_head[:12]}… ({manifest.audit_count} rows)")
    report = RestoreReport(manifest=manifest, tables=len(counts), rows=sum(counts.values()),
                           seconds=time.monotonic() - started, mismatches=mismatches, audit_ok=audit_ok,
                           audit_message=message)
    if report.ok:
        audit_record(actor=None, action="restore", object_type="site", object_id=archive.name,
                     detail={"created_at": manifest.created_at, "rows": report.rows, "tables": report.tables})
    return report
