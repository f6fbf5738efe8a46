"""Where Jingzhi keeps its files: one rule shared by every command and the settings."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def default_data_dir() -> Path:
    """The directory `jingzhi demo` uses when neither --data-dir nor JINGZHI_DATA_DIR is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jingzhi"


def data_dir() -> Path:
    """JINGZHI_DATA_DIR if set (the CLI's --data-dir sets it), else the default."""
    configured = os.environ.get("JINGZHI_DATA_DIR")
    return Path(configured).expanduser() if configured else default_data_dir()


def private_dir(path: Path) -> Path:
    """Create `path` (and its parents) readable by the service's own user only (0700); tighten it if it exists.

    The data directory holds the secret key, the SQLite file with every requester's personal data, and the
    uploaded attachments: nobody else on the machine may list or read it (等保 2.0 access control).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # a directory owned by someone else (a mounted volume) stays as it is
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, and make it readable and writable by its owner only (0600)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.suppress(OSError):
        path.chmod(0o600)
    return path


def sqlite_url(directory: Path | None = None) -> str:
    return f"sqlite:///{(directory or data_dir()) / 'jingzhi.sqlite3'}"
