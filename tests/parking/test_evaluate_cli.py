"""The evaluation CLI end to end on a small simulated dataset."""

from __future__ import annotations

import re

import numpy as np

from parking.csv_io import write_observations, write_sites
from parking.evaluate import main


def test_cli_writes_report_and_result_line(small_city, tmp_path, capsys):
    """evaluate writes the PNG and metrics and ends with every RESULT key, bad rows listed.

    The original keys come first, in their order; the low-probability calibration keys follow."""
    c = small_city
    t = c.table
    rows = np.flatnonzero(t.site < 8)
    ids = np.array(t.site_ids)[t.site[rows]]
    write_sites(tmp_path / "sites.csv", [s.site for s in c.sims])
    write_observations(tmp_path / "obs.csv", ids, t.t_min[rows], t.free[rows], t.capacity[rows])
    with open(tmp_path / "obs.csv", "a") as fh:
        fh.write("cph-0000,2024-02-06T10:00:00+00:00,999,10\n")
    main(
        [
            "--observations",
            str(tmp_path / "obs.csv"),
            "--sites",
            str(tmp_path / "sites.csv"),
            "--report",
            str(tmp_path / "rep"),
            "--test-days",
            "7",
            "--max-targets",
            "5000",
        ]
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    keys = dict(kv.split("=") for kv in last.removeprefix("RESULT ").split())
    horizons = (0, 15, 60, 1440)
    original = [
        f"{k}_h{h}"
        for h in horizons
        for k in ("brier_model", "brier_hist", "brier_last", "ece_model")
    ]
    appended = [f"{k}_h{h}" for h in horizons for k in ("ece_low_model", "max_gap_model")]
    assert list(keys) == original + appended
    assert all(0.0 <= float(keys[k]) <= 1.0 for k in original)
    assert (tmp_path / "rep" / "reliability.png").stat().st_size > 10_000
    assert re.search(r"exceeds capacity", (tmp_path / "rep" / "skipped_rows.txt").read_text())
