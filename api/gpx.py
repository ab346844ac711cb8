"""A route as GPX 1.1 for navigation apps (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from core.plan import Line
from core.reports import StopReport


def route_gpx(vehicle_id: str, plan_id: int, stops: Sequence[StopReport], track: Line = ()) -> str:
    """Waypoints for every stop plus one ``rte`` in visiting order, and the road geometry
    ``track`` ((lon, lat) points) as a ``trk`` when given."""
    pts = []
    for r in stops:
        s = r.stop
        name = escape(f"{s.seq}: {s.bin_id or s.site_id or ''} {s.street}".strip())
        attrs = f"lat={quoteattr(f'{s.lat:.7f}')} lon={quoteattr(f'{s.lon:.7f}')}"
        desc = escape(f"{s.kind.value} {r.status}, eta {s.eta.isoformat()}")
        pts.append((attrs, name, desc))
    wpts = "".join(f"<wpt {a}><name>{n}</name><desc>{d}</desc></wpt>\n" for a, n, d in pts)
    rtepts = "".join(f"<rtept {a}><name>{n}</name></rtept>\n" for a, n, _ in pts)
    title = escape(f"{vehicle_id} plan {plan_id}")
    trk = ""
    if track:
        trkpts = "".join(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"/>\n' for lon, lat in track)
        trk = f"<trk><name>{title}</name><trkseg>\n{trkpts}</trkseg></trk>\n"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="cityops" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f'<metadata><name>{title}</name><copyright author="OpenStreetMap contributors"/>'
        f"</metadata>\n{wpts}<rte><name>{title}</name>\n{rtepts}</rte>\n{trk}</gpx>\n"
    )
