"""File adapter: fixed inventory sites (depots, disposal sites) from a GeoJSON FeatureCollection.

Each feature is a Point with properties ``site_id``, ``name`` and ``kind`` (``depot`` or
``disposal``). Any format and CRS GDAL reads works too; points are reprojected to WGS84.
"""

from __future__ import annotations

from pathlib import Path

from core.domain import Site

SITE_KINDS = ("depot", "disposal")
_PROPERTIES = ("site_id", "name", "kind")


class InventoryFileError(ValueError):
    """An inventory file that is missing or not the expected shape."""


def read_sites(path: Path) -> dict[str, list[Site]]:
    """The sites of a file by kind (every kind of :data:`SITE_KINDS` present, maybe empty)."""
    import geopandas as gpd

    if not path.is_file():
        raise InventoryFileError(f"missing inventory file {path}.")
    try:
        frame = gpd.read_file(path)
    except Exception as e:  # pyogrio raises its own DataSourceError / DataLayerError
        raise InventoryFileError(f"inventory file {path}: not readable ({e}).") from e
    missing = [p for p in _PROPERTIES if p not in frame.columns]
    if missing:
        raise InventoryFileError(f"inventory file {path}: features lack properties {missing}.")
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    out: dict[str, list[Site]] = {k: [] for k in SITE_KINDS}
    seen: set[str] = set()
    for row in frame.itertuples(index=False):
        site_id, kind, geom = str(row.site_id), str(row.kind), row.geometry
        if kind not in SITE_KINDS:
            raise InventoryFileError(f"inventory file {path}: site {site_id}: kind {kind!r}.")
        if geom is None or geom.geom_type != "Point":
            raise InventoryFileError(f"inventory file {path}: site {site_id} is not a Point.")
        if site_id in seen:
            raise InventoryFileError(f"inventory file {path}: site id {site_id} repeated.")
        seen.add(site_id)
        out[kind].append(Site(site_id, str(row.name), float(geom.x), float(geom.y)))
    return out
