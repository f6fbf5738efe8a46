"""Start Django for a command-line entry point (the `jingzhi` CLI and each app's subcommands).

A module of its own, outside the layers, so that an app's CLI module can start Django without
importing `jingzhi.cli`, which imports every app (ADR 011).
"""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(data_dir: str | None) -> None:
    if data_dir:
        os.environ["JINGZHI_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhi.settings")
    from jingzhi.paths import data_dir as resolved

    if not os.environ.get("DATABASE_URL"):
        resolved().mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
