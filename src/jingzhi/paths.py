"""Where Jingzhi keeps its files: one rule shared by every command and the settings."""

from __future__ import annotations

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


def sqlite_url(directory: Path | None = None) -> str:
    return f"sqlite:///{(directory or data_dir()) / 'jingzhi.sqlite3'}"
