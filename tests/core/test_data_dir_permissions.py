"""Issue 10 #11: the data directory (secret key, SQLite file, attachments) is readable by the service's user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_dir_is_private(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "jingzhi"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JINGZHI_DATA_DIR", "DJANGO_SETTINGS_MODULE")}
    # A permissive umask, as a service manager or a shell may leave it: the program must not rely on it.
    run = subprocess.run([sys.executable, "-c", "import os, sys; os.umask(0o022); from jingzhi.cli import main; "
                          "sys.exit(main(sys.argv[1:]))", "migrate", "--data-dir", str(data)],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "jingzhi.sqlite3") == 0o600
    for extra in ("jingzhi.sqlite3-wal", "jingzhi.sqlite3-shm"):
        if (data / extra).exists():
            assert _mode(data / extra) == 0o600
    leaked = [p for p in data.rglob("*") if _mode(p) & 0o077]
    assert leaked == []


@pytest.mark.django_db
def test_uploaded_attachments_are_private(city: Any, settings: Any, tmp_path: Path) -> None:
    from tests.factories import CaseFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    old = os.umask(0o022)
    try:
        case = CaseFactory(actor=city.operator, attachments=[SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff" + b"0" * 100)])
    finally:
        os.umask(old)
    stored = Path(case.attachments.get().file.path)
    assert _mode(stored) == 0o600
    for directory in [p for p in stored.parents if str(p).startswith(str(settings.MEDIA_ROOT))]:
        assert _mode(directory) == 0o700, directory
