"""A city's operations districts: named polygons and the point-in-district lookup (pure).

A point takes the name of the first polygon, in layer order, that covers it (a point on a shared
border goes to the earlier one); a point in no polygon gets :data:`OUTSIDE`, the empty string.
Lookups are vectorised over arrays of points through a shapely ``STRtree``, never a Python loop
over polygons. Coordinates are WGS84 degrees (lon, lat).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

OUTSIDE = ""  # the district of a point no polygon covers
_AREAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True, eq=False)
class Districts:
    """Named district polygons, in layer order; validated at construction.

    Several polygons may share a name (a district drawn in pieces). ``source`` says where the
    layer comes from (an official layer, or an approximation) so that reports can show it.
    """

    names: tuple[str, ...]
    polygons: tuple[BaseGeometry, ...] = field(repr=False)
    source: str = ""
    _tree: STRtree = field(init=False, repr=False)
    _lookup: npt.NDArray[np.object_] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.names) != len(self.polygons):
            raise ValueError("districts need one name per polygon.")
        for name, poly in zip(self.names, self.polygons, strict=True):
            if not name:
                raise ValueError("every district polygon needs a non-empty name.")
            if poly is None or poly.geom_type not in _AREAL or poly.is_empty:
                kind = "nothing" if poly is None else poly.geom_type
                raise ValueError(f"district {name!r}: expected a polygon, got {kind}.")
            if not poly.is_valid:
                why = shapely.is_valid_reason(poly)
                raise ValueError(f"district {name!r}: invalid polygon ({why}).")
        object.__setattr__(self, "_tree", STRtree(list(self.polygons)))
        object.__setattr__(self, "_lookup", np.array([*self.names, OUTSIDE], dtype=object))

    @classmethod
    def none(cls) -> Districts:
        """No districts: every point is :data:`OUTSIDE`."""
        return cls((), ())

    def __len__(self) -> int:
        return len(self.names)

    @property
    def distinct_names(self) -> tuple[str, ...]:
        """Each district name once, in layer order."""
        return tuple(dict.fromkeys(self.names))

    def assign(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """The district name of each point (``OUTSIDE`` where none covers it), vectorised."""
        x = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        y = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        if x.shape != y.shape:
            raise ValueError("lon and lat must have the same shape.")
        best = np.full(x.size, len(self.names), dtype=np.int64)
        if x.size and self.names:
            point, poly = self._tree.query(shapely.points(x.ravel(), y.ravel()), "intersects")
            np.minimum.at(best, point, poly)  # the earliest covering polygon wins
        return self._lookup[best].reshape(x.shape)

    def at(self, lon: float, lat: float) -> str:
        """The district name of one point."""
        return str(self.assign([lon], [lat])[0])

    def covers(self, polygon: BaseGeometry) -> bool:
        """Whether the districts together cover ``polygon`` (e.g. the city's bounding box)."""
        if not self.names:
            return False
        return bool(shapely.union_all(list(self.polygons)).covers(polygon))
