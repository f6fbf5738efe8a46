"""Is a site inside a CAP polygon or circle? Plain geometry on latitude/longitude, enough at a city's scale.

No geometry library is in the lock (shapely would bring GEOS for two functions), so: the even-odd ray-casting
test for polygons, and the haversine distance for circles. Polygons do not cross the antimeridian in China.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_KM = 6371.0088


def in_polygon(lat: float, lon: float, polygon: Sequence[Sequence[float]]) -> bool:
    """Even-odd rule: a ray from the point eastwards crosses the ring's edges an odd number of times when inside."""
    inside = False
    n = len(polygon)
    j = n - 1
    for i in range(n):
        lat_i, lon_i = polygon[i][0], polygon[i][1]
        lat_j, lon_j = polygon[j][0], polygon[j][1]
        if (lat_i > lat) != (lat_j > lat):
            crossing = lon_i + (lat - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
            if lon < crossing:
                inside = not inside
        j = i
    return inside


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def in_circle(lat: float, lon: float, circle: Sequence[float]) -> bool:
    return distance_km(lat, lon, circle[0], circle[1]) <= circle[2]
