"""The long-format CSV importer: good rows kept, each kind of bad row reported by line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.domain import ParkingSite
from parking.csv_io import (
    ParkingCsvError,
    read_observations,
    read_sites,
    write_observations,
    write_sites,
)

SITES = "site_id,name,kind,capacity,lon,lat\na,A,street,10,12.55,55.69\nb,B,carpark,200,,\n"
GOOD = "a,2024-03-04T08:00:00+01:00,3,10"


def _obs(tmp_path, *rows: str):
    path = tmp_path / "obs.csv"
    path.write_text("site_id,observed_at,free,capacity\n" + "\n".join(rows) + "\n")
    return read_observations(path, ("a", "b"))


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("zz,2024-03-04T08:05:00+01:00,3,10", "unknown site 'zz'"),
        ("a,yesterday,3,10", "not ISO 8601"),
        ("a,2024-03-04T08:05:00,3,10", "UTC offset"),
        ("a,2024-03-04T08:05:00+01:00,11,10", "free 11 exceeds capacity 10"),
        ("a,2024-03-04T08:05:00+01:00,-1,10", "negative free count -1"),
        ("a,2024-03-04T08:05:00+01:00,2.5,10", "free '2.5' is not an integer"),
        ("a,2024-03-04T08:05:00+01:00,0,0", "capacity 0 is not positive"),
        ("a,2024-03-04T07:00:00+00:00,4,10", "repeated observation"),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_skipped(tmp_path, row, fragment):
    """A bad row on line 3 is reported as line 3 with a clear reason; the good row survives."""
    table, errors = _obs(tmp_path, GOOD, row)
    assert len(errors) == 1
    assert errors[0].line == 3 and fragment in errors[0].message
    assert len(table) == 1 and int(table.free[0]) == 3


def test_bad_values_are_never_coerced(tmp_path):
    """Over-capacity and negative counts are dropped, not clipped into range."""
    table, errors = _obs(
        tmp_path, "a,2024-03-04T08:00:00+01:00,12,10", "a,2024-03-04T08:05:00+01:00,-2,10"
    )
    assert len(table) == 0 and [e.line for e in errors] == [2, 3]


def test_offsets_are_honoured(tmp_path):
    """The same instant written with different offsets maps to the same minute (and is a repeat)."""
    table, errors = _obs(
        tmp_path, "a,2024-03-04T08:00:00+01:00,3,10", "a,2024-03-04T07:00:00Z,3,10"
    )
    assert len(table) == 1 and len(errors) == 1


def test_missing_column_is_an_error(tmp_path):
    """A file without a required column cannot be read at all."""
    path = tmp_path / "obs.csv"
    path.write_text("site_id,observed_at,free\na,2024-03-04T08:00:00+01:00,3\n")
    with pytest.raises(ParkingCsvError, match="capacity"):
        read_observations(path, ("a",))


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("c,C,lot,10,12.5,55.6", "kind 'lot'"),
        ("c,C,street,0,12.5,55.6", "capacity '0'"),
        ("c,C,street,10,east,55.6", "lon 'east'"),
        ("c,C,street,10,12.5,", "both lon and lat"),
        ("a,A again,street,10,12.5,55.6", "duplicate site_id 'a'"),
    ],
)
def test_bad_site_rows_are_reported(tmp_path, row, fragment):
    """Each kind of bad site row is skipped with its line number and reason."""
    path = tmp_path / "sites.csv"
    path.write_text(SITES + row + "\n")
    sites, errors = read_sites(path)
    assert [s.site_id for s in sites] == ["a", "b"]
    assert len(errors) == 1 and errors[0].line == 4 and fragment in errors[0].message


def test_site_geometry_is_optional(tmp_path):
    """A site without coordinates is kept with NaN lon/lat."""
    path = tmp_path / "sites.csv"
    path.write_text(SITES)
    sites, _ = read_sites(path)
    assert math.isnan(sites[1].lon) and sites[0].lon == pytest.approx(12.55)


def test_written_files_read_back(tmp_path):
    """Sites and observations written by the adapter import without errors and unchanged."""
    sites = [ParkingSite("s1", "One", "street", 12, 12.56, 55.69, "Jagtvej", "Nørrebro")]
    write_sites(tmp_path / "s.csv", sites, {"side": ["lige"]})
    t = np.array([28_000_000, 28_000_005])
    write_observations(tmp_path / "o.csv", ["s1", "s1"], t, np.array([4, 0]), np.array([12, 12]))
    back, s_err = read_sites(tmp_path / "s.csv")
    table, o_err = read_observations(tmp_path / "o.csv", ("s1",))
    assert back == sites and not s_err and not o_err
    assert table.t_min.tolist() == t.tolist() and table.free.tolist() == [4, 0]
