"""CSV adapter for the documented long format (file I/O lives here, not in the model).

Sites: ``site_id,name,kind,capacity,lon,lat`` (+ optional ``street,district``; other columns are
ignored; ``lon``/``lat`` may be left empty when the geometry is unknown).
Observations: ``site_id,observed_at,free,capacity`` with ``observed_at`` ISO 8601 with a UTC
offset. Bad rows are reported with their line number (the header is line 1) and skipped, never
coerced: unknown site, unparsable or offset-less time, non-integer or negative counts, zero
capacity, free above capacity, a repeated (site, time).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.domain import ParkingSite
from parking.table import ObservationTable, build_table

SITE_COLUMNS = ("site_id", "name", "kind", "capacity", "lon", "lat")
OBS_COLUMNS = ("site_id", "observed_at", "free", "capacity")
KINDS = ("street", "carpark")
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"


class ParkingCsvError(ValueError):
    """A file that cannot be read at all (missing columns); bad rows are reported instead."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One skipped row."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _read(path: Path | str, required: Sequence[str]) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ParkingCsvError(f"{path}: missing column(s) {', '.join(missing)}")
    return df


def _int_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values, ok) where ok means the text is an integer."""
    ok = values.str.fullmatch(r"\s*[+-]?\d+\s*").fillna(False).to_numpy(bool)
    out = np.zeros(len(values), dtype=np.int64)
    out[ok] = values[ok].astype(np.int64).to_numpy()
    return out, ok


def read_sites(path: Path | str) -> tuple[list[ParkingSite], list[RowError]]:
    """Valid sites and the errors of the skipped rows."""
    df = _read(path, SITE_COLUMNS)
    sites: list[ParkingSite] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for n, row in enumerate(df.to_dict("records")):
        line = n + 2
        sid = row["site_id"].strip()
        problem = _site_problem(row, sid, seen)
        if problem:
            errors.append(RowError(line, problem))
            continue
        seen.add(sid)
        sites.append(
            ParkingSite(
                sid,
                row["name"].strip(),
                row["kind"].strip(),
                int(row["capacity"]),
                _float_or_nan(row["lon"]),
                _float_or_nan(row["lat"]),
                row.get("street", "").strip(),
                row.get("district", "").strip(),
            )
        )
    return sites, errors


def _float_or_nan(text: str) -> float:
    return float(text) if text.strip() else math.nan


def _site_problem(row: dict[str, str], sid: str, seen: set[str]) -> str | None:
    if not sid:
        return "empty site_id"
    if sid in seen:
        return f"duplicate site_id {sid!r}"
    if row["kind"].strip() not in KINDS:
        return f"site {sid}: kind {row['kind']!r} is not one of {', '.join(KINDS)}"
    cap = row["capacity"].strip()
    if not cap.lstrip("+-").isdigit() or int(cap) <= 0:
        return f"site {sid}: capacity {cap!r} is not a positive integer"
    for name in ("lon", "lat"):
        text = row[name].strip()
        try:
            value = float(text) if text else 0.0
        except ValueError:
            return f"site {sid}: {name} {text!r} is not a number"
        if not math.isfinite(value):
            return f"site {sid}: {name} {text!r} is not finite"
    lon, lat = row["lon"].strip(), row["lat"].strip()
    if bool(lon) != bool(lat):
        return f"site {sid}: give both lon and lat or neither"
    if lon and not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
        return f"site {sid}: coordinates ({lon}, {lat}) out of range"
    return None


def read_observations(
    path: Path | str, site_ids: Sequence[str]
) -> tuple[ObservationTable, list[RowError]]:
    """Valid observations of known sites as a table, and the errors of the skipped rows."""
    df = _read(path, OBS_COLUMNS)
    sid = df["site_id"].str.strip()
    text_t = df["observed_at"].str.strip()
    free, free_ok = _int_column(df["free"])
    cap, cap_ok = _int_column(df["capacity"])
    has_offset = text_t.str.contains(_OFFSET, regex=True).to_numpy(bool)
    t = pd.to_datetime(text_t.where(has_offset, ""), format="ISO8601", utc=True, errors="coerce")
    t_ok = has_offset & ~pd.isna(t).to_numpy() if len(df) else np.zeros(0, bool)
    known = sid.isin(set(site_ids)).to_numpy(bool)
    checks: list[tuple[np.ndarray, object]] = [
        (~known, lambda i: f"unknown site {sid.iat[i]!r}"),
        (~t_ok, lambda i: f"observed_at {text_t.iat[i]!r} is not ISO 8601 with a UTC offset"),
        (~free_ok, lambda i: f"free {df['free'].iat[i]!r} is not an integer"),
        (~cap_ok, lambda i: f"capacity {df['capacity'].iat[i]!r} is not an integer"),
        (free_ok & (free < 0), lambda i: f"negative free count {free[i]}"),
        (cap_ok & (cap <= 0), lambda i: f"capacity {cap[i]} is not positive"),
        (free_ok & cap_ok & (free > cap), lambda i: f"free {free[i]} exceeds capacity {cap[i]}"),
    ]
    bad = np.zeros(len(df), bool)
    messages: dict[int, str] = {}
    for mask, message in checks:
        for i in np.flatnonzero(mask & ~bad):
            messages[int(i)] = message(int(i))  # type: ignore[operator]
        bad |= mask
    minutes = np.zeros(len(df), dtype=np.int64)
    if t_ok.any():
        minutes[t_ok] = pd.DatetimeIndex(t[t_ok]).as_unit("s").asi8 // 60
    dup = pd.DataFrame({"s": sid, "m": minutes}).duplicated().to_numpy(bool) & ~bad
    for i in np.flatnonzero(dup):
        messages[int(i)] = f"repeated observation of site {sid.iat[i]!r} at {text_t.iat[i]}"
    bad |= dup
    errors = [RowError(i + 2, messages[i]) for i in sorted(messages)]
    keep = ~bad
    table = build_table(site_ids, sid[keep].tolist(), minutes[keep], free[keep], cap[keep])
    return table, errors


def write_sites(
    path: Path | str, sites: Iterable[ParkingSite], extra: dict[str, Sequence[str]] | None = None
) -> None:
    """Write a site table; ``extra`` adds columns (e.g. side, scheme) aligned with ``sites``."""
    rows = list(sites)
    cols = {
        "site_id": [s.site_id for s in rows],
        "name": [s.name for s in rows],
        "kind": [s.kind for s in rows],
        "capacity": [s.capacity for s in rows],
        "lon": ["" if math.isnan(s.lon) else f"{s.lon:.6f}" for s in rows],
        "lat": ["" if math.isnan(s.lat) else f"{s.lat:.6f}" for s in rows],
        "street": [s.street for s in rows],
        "district": [s.district for s in rows],
    }
    cols.update({k: list(v) for k, v in (extra or {}).items()})
    pd.DataFrame(cols).to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)


def write_observations(
    path: Path | str,
    site_id: Sequence[str] | np.ndarray,
    t_min: np.ndarray,
    free: np.ndarray,
    capacity: np.ndarray,
) -> None:
    """Write observations (epoch minutes) in the long format, times as UTC with ``+00:00``."""
    when = pd.to_datetime(np.asarray(t_min, np.int64) * 60, unit="s").strftime(
        "%Y-%m-%dT%H:%M:%S+00:00"
    )
    pd.DataFrame(
        {"site_id": site_id, "observed_at": when, "free": free, "capacity": capacity}
    ).to_csv(path, index=False)
