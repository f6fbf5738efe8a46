"""Start Django for a command-line entry point (the `jingzhi` CLI and each app's subcommands).

A module of its own, outside the layers, so that an app's CLI module can start Django without
importing `jingzhi.cli`, which imports every app (ADR 011).
"""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(data_dir: str | None) -> None:
    # Every file this process creates (database, WAL, key, uploads, exports in /tmp) is its user's alone.
    os.umask(0o077)
    if data_dir:
        os.environ["JINGZHI_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhi.settings")
    from jingzhi.paths import data_dir as resolved
    from jingzhi.paths import private_dir

    if not os.environ.get("DATABASE_URL"):
        private_dir(resolved())
    import django

    django.setup()
