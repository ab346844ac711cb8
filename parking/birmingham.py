"""Convert the UCI "Parking Birmingham" file to the long format (adapter: files only).

    python -m parking.birmingham --input birmingham_carparks_2016.csv --out DIR

``LastUpdated`` is UK local time without a zone; it is localised to Europe/London and written in
UTC. Rows that are exact duplicates, have negative occupancy, a non-positive capacity, an
unparsable or non-existent/ambiguous local time, or repeat a car park's minute with other values
are reported with their line number and skipped, never coerced. Occupancy above capacity is a
full car park with no free space, not a fault to drop: such rows are reported, kept and
clipped to 0 free spaces. Free spaces = max(Capacity − Occupancy, 0). The car parks'
coordinates are not in the file, so the site table leaves ``lon``/``lat`` empty.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.domain import ParkingSite
from parking.csv_io import RowError, write_observations, write_sites

COLUMNS = ("SystemCodeNumber", "Capacity", "Occupancy", "LastUpdated")
TZ = "Europe/London"


@dataclass(frozen=True, slots=True)
class Converted:
    """Long-format content and the skipped rows."""

    sites: list[ParkingSite]
    site_id: np.ndarray
    t_min: np.ndarray
    free: np.ndarray
    capacity: np.ndarray
    errors: list[RowError]  # skipped rows
    clipped: list[RowError]  # kept rows whose occupancy exceeded capacity (0 free spaces)


def convert(raw: pd.DataFrame) -> Converted:
    """Validate and convert raw rows (all columns as text; row i is file line i + 2)."""
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)}")
    code = raw["SystemCodeNumber"].str.strip()
    cap = pd.to_numeric(raw["Capacity"], errors="coerce")
    occ = pd.to_numeric(raw["Occupancy"], errors="coerce")
    local = pd.to_datetime(
        raw["LastUpdated"].str.strip(), format="%Y-%m-%d %H:%M:%S", errors="coerce"
    )
    utc = (
        pd.DatetimeIndex(local)
        .tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
        .tz_convert("UTC")
    )
    messages: dict[int, str] = {}
    first_seen: dict[tuple, int] = {}
    for i, key in enumerate(
        zip(code, raw["Capacity"], raw["Occupancy"], raw["LastUpdated"], strict=True)
    ):
        if key in first_seen:
            messages[i] = f"exact duplicate of line {first_seen[key] + 2}"
        else:
            first_seen[key] = i
    checks = [
        (code == "", lambda i: "empty SystemCodeNumber"),
        (
            pd.isna(local),
            lambda i: f"LastUpdated {raw['LastUpdated'].iat[i]!r} is not 'YYYY-MM-DD HH:MM:SS'",
        ),
        (
            pd.isna(utc) & ~pd.isna(local),
            lambda i: (
                f"local time {raw['LastUpdated'].iat[i]} does not exist or is ambiguous in {TZ}"
            ),
        ),
        (
            ~(cap > 0) | (cap % 1 != 0),
            lambda i: f"Capacity {raw['Capacity'].iat[i]!r} is not a positive integer",
        ),
        (
            pd.isna(occ) | (occ % 1 != 0),
            lambda i: f"Occupancy {raw['Occupancy'].iat[i]!r} is not an integer",
        ),
        (occ < 0, lambda i: f"negative Occupancy {int(occ.iat[i])}"),
    ]
    for mask, message in checks:
        for row in np.flatnonzero(np.asarray(mask, bool)):
            messages.setdefault(int(row), message(int(row)))
    bad = np.zeros(len(raw), bool)
    bad[list(messages)] = True
    epoch_s = utc.as_unit("s").asi8 if len(raw) else np.zeros(0, np.int64)
    minutes = np.where(bad, 0, epoch_s // 60)
    seen: dict[tuple[str, int], int] = {}
    for r in np.flatnonzero(~bad):
        k = (str(code.iat[r]), int(minutes[r]))
        if k in seen:
            messages[int(r)] = (
                f"car park {k[0]} already has a reading at this minute (line {seen[k] + 2})"
            )
            bad[r] = True
        else:
            seen[k] = int(r)
    ok = ~bad
    caps = pd.Series(cap[ok].astype(int).to_numpy(), index=code[ok].to_numpy())
    sites = [
        ParkingSite(
            c, c, "carpark", int(Counter(caps[[c]].tolist()).most_common(1)[0][0]), np.nan, np.nan
        )
        for c in sorted(set(code[ok]))
    ]
    errors = [RowError(i + 2, messages[i]) for i in sorted(messages)]
    over = np.flatnonzero(ok & np.asarray(occ > cap, bool))
    clipped = [
        RowError(
            int(i) + 2,
            f"Occupancy {int(occ.iat[i])} exceeds Capacity {int(cap.iat[i])}: kept as full",
        )
        for i in over
    ]
    free = np.maximum(cap[ok] - occ[ok], 0).astype(int).to_numpy()
    return Converted(
        sites,
        code[ok].to_numpy(),
        minutes[ok],
        free,
        cap[ok].astype(int).to_numpy(),
        errors,
        clipped,
    )


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description="Convert Parking Birmingham to the long format.")
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    raw = pd.read_csv(args.input, dtype=str, keep_default_na=False)
    c = convert(raw)
    args.out.mkdir(parents=True, exist_ok=True)
    write_sites(args.out / "sites.csv", c.sites)
    write_observations(args.out / "observations.csv", c.site_id, c.t_min, c.free, c.capacity)
    (args.out / "skipped_rows.txt").write_text("".join(f"{e}\n" for e in c.errors))
    (args.out / "clipped_rows.txt").write_text("".join(f"{e}\n" for e in c.clipped))
    print(summary(c))


def summary(c: Converted) -> str:
    """One line: car parks, observations, skipped rows by kind, rows clipped to full."""
    kinds = Counter(re.sub(r"\d+", "N", e.message) for e in c.errors)
    return (
        f"{len(c.sites)} car parks, {len(c.free)} observations, "
        f"{len(c.errors)} rows skipped: {dict(kinds)}; "
        f"{len(c.clipped)} rows with occupancy above capacity kept as full (0 free)"
    )


if __name__ == "__main__":
    main()
