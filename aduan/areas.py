"""Areas on the map, for routing rules: which tickets' points fall inside a drawn area.

An area is a GeoJSON ``Polygon`` or ``MultiPolygon`` (coordinates longitude first, as GeoJSON
has them; a ``Feature`` or a ``FeatureCollection`` of polygons, as map tools export them, is
taken as its geometry), or a box ``[minLon, minLat, maxLon, maxLat]`` (GeoJSON's ``bbox``
order). ``load`` checks one as an admin typed it and returns what a rule keeps;
``prepare_area`` turns a kept one into a prepared shape (``shapely``), cached, that ``covers``
asks quickly. A point on the edge is inside.
"""

from __future__ import annotations

import json
import math
import re
import threading
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from shapely import box, prepare
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

MAX_POINTS = 10_000
MAX_TEXT = 200_000  # characters of an area typed as text
POLYGONS = ("Polygon", "MultiPolygon")
NOT_AN_AREA = _l(
    "Enter a GeoJSON Polygon or MultiPolygon, or a box as four numbers: "
    "minLon, minLat, maxLon, maxLat."
)
NOT_JSON = _l("This is not valid JSON: %(reason)s")
BAD_BOX = _l(
    "A box is four numbers: minLon, minLat, maxLon, maxLat, with the minimum below the maximum."
)
OUT_OF_RANGE = _l(
    "Longitudes are between -180 and 180 and latitudes between -90 and 90 "
    "(GeoJSON puts the longitude first)."
)
BAD_RING = _l("Each ring of a polygon needs at least four [longitude, latitude] points.")
SELF_CROSSING = _l("The polygon's edges cross each other; draw it again.")
TOO_BIG = _l("The area has too many points (at most %(n)d).")
_lock = threading.Lock()  # a prepared shape's first query builds its index: one at a time
_NUMBERS = re.compile(r"^\s*\[?\s*([^\[\]]*?)\s*\]?\s*$")


class AreaError(ValueError):
    """An area that cannot be used; ``message`` says why, in the reader's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def load(value: Any) -> dict[str, Any] | list[float]:
    """The area a rule keeps for ``value`` (GeoJSON as text or as an object, or a box as a
    list or as text "minLon, minLat, maxLon, maxLat"): a Polygon/MultiPolygon geometry or a
    box of four floats. ``AreaError`` says what is wrong."""
    if isinstance(value, str):
        value = _from_text(value)
    if isinstance(value, list | tuple):
        return _box(value)
    if not isinstance(value, dict):
        raise AreaError(str(NOT_AN_AREA))
    geometry = _geometry(value)
    _check_coordinates(geometry)
    try:
        area = shape(geometry)
    except (ShapelyError, GEOSException, ValueError, TypeError, IndexError):
        raise AreaError(str(BAD_RING)) from None
    if area.is_empty or not area.is_valid:
        raise AreaError(str(SELF_CROSSING))
    return geometry


def prepare_area(area: dict[str, Any] | list[float] | None) -> BaseGeometry | None:
    """A kept area as a prepared shape, cached by its text; None for no area, and for one
    that cannot be drawn (stored by hand, not through ``load``): it then holds no point."""
    if not area:
        return None
    try:
        return _prepared(json.dumps(area, sort_keys=True, separators=(",", ":")))
    except (ShapelyError, GEOSException, ValueError, TypeError, IndexError):
        return None


def covers(area: BaseGeometry, latitude: float | None, longitude: float | None) -> bool:
    """Whether the point lies inside ``area`` or on its edge; no point is never inside."""
    if latitude is None or longitude is None:
        return False
    with _lock:
        return bool(area.covers(Point(float(longitude), float(latitude))))


def as_text(area: dict[str, Any] | list[float] | None) -> str:
    """A kept area as the admin form shows it (JSON), "" for none."""
    return json.dumps(area) if area else ""


@lru_cache(maxsize=256)
def _prepared(text: str) -> BaseGeometry:
    kept = json.loads(text)
    area = box(*kept) if isinstance(kept, list) else shape(kept)
    prepare(area)
    return area


def _from_text(text: str) -> Any:
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise AreaError(str(TOO_BIG) % {"n": MAX_POINTS})
    if text.startswith("{"):
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise AreaError(str(NOT_JSON) % {"reason": exc}) from None
    numbers = _NUMBERS.match(text)
    parts = [p.strip() for p in numbers.group(1).split(",")] if numbers else []
    if len(parts) != 4:
        raise AreaError(str(NOT_AN_AREA))
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise AreaError(str(BAD_BOX)) from None


def _box(values: list | tuple) -> list[float]:
    if len(values) != 4 or not all(_is_number(v) for v in values):
        raise AreaError(str(BAD_BOX))
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in values)
    if not (_in_range(min_lon, min_lat) and _in_range(max_lon, max_lat)):
        raise AreaError(str(OUT_OF_RANGE))
    if min_lon >= max_lon or min_lat >= max_lat:
        raise AreaError(str(BAD_BOX))
    return [min_lon, min_lat, max_lon, max_lat]


def _geometry(value: dict[str, Any]) -> dict[str, Any]:
    """A Polygon or MultiPolygon geometry out of a geometry, a Feature or a FeatureCollection."""
    kind = value.get("type")
    if kind == "Feature":
        return _geometry(value.get("geometry") or {})
    if kind == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or not features:
            raise AreaError(str(NOT_AN_AREA))
        parts = [_geometry(f if isinstance(f, dict) else {}) for f in features]
        if len(parts) == 1:
            return parts[0]
        polygons = [p["coordinates"] if p["type"] == "MultiPolygon" else [p["coordinates"]]
                    for p in parts]  # fmt: skip
        return {"type": "MultiPolygon", "coordinates": [c for group in polygons for c in group]}
    if kind not in POLYGONS or not isinstance(value.get("coordinates"), list):
        raise AreaError(str(NOT_AN_AREA))
    return {"type": kind, "coordinates": value["coordinates"]}


def _check_coordinates(geometry: dict[str, Any]) -> None:
    polygons = geometry["coordinates"]
    polygons = polygons if geometry["type"] == "MultiPolygon" else [polygons]
    count = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise AreaError(str(BAD_RING))
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise AreaError(str(BAD_RING))
            for point in ring:
                if not isinstance(point, list | tuple) or len(point) not in (2, 3):
                    raise AreaError(str(BAD_RING))
                if not all(_is_number(v) for v in point):
                    raise AreaError(str(BAD_RING))
                if not _in_range(float(point[0]), float(point[1])):
                    raise AreaError(str(OUT_OF_RANGE))
            count += len(ring)
            if count > MAX_POINTS:
                raise AreaError(str(TOO_BIG) % {"n": MAX_POINTS})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _in_range(longitude: float, latitude: float) -> bool:
    return -180 <= longitude <= 180 and -90 <= latitude <= 90
