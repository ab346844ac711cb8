"""The what-if CLI end to end on the tiny grid city."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from simulations import whatif
from simulations.loop.results import DAILY_COLUMNS
from simulations.loop.study import default_settings
from tests.simulations.loop.grid import TZ, grid_scenario


@pytest.fixture
def tiny_city(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds the grid city instead of the configured one."""
    monkeypatch.setattr(whatif, "build_scenario", lambda *a, **k: (grid_scenario(), TZ))


def run(out: Path, jobs: int) -> list[str]:
    lines: list[str] = []
    argv = ["--config", "small", "--weeks", "2", "--seeds", "1", "--out", str(out)]
    argv += ["--jobs", str(jobs), "--iterations", "100", "--no-improvement", "50"]
    assert whatif.main(argv, echo=lines.append) == 0
    return lines


def test_whatif_writes_tidy_csv_and_result_line(tiny_city: None, tmp_path: Path) -> None:
    """daily.csv has the published columns, RESULT comes last, the report redraws from the CSV."""
    lines = run(tmp_path / "a", jobs=1)
    assert lines[-1].startswith("RESULT km_vs_ksoonest_pct=")
    assert lines[-1].endswith(" seeds=1 weeks=2")
    with (tmp_path / "a" / "daily.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == DAILY_COLUMNS
    assert {r["policy"] for r in rows} == {"fixed", "k-soonest", "platform"}
    assert {r["param"] for r in rows if r["policy"] == "fixed"} == {"1", "2", "3"}
    assert len(rows) == len(default_settings(24)) * 14
    for name in ("plans.csv", "run.json", "report.html", "result.txt"):
        assert (tmp_path / "a" / name).stat().st_size > 0
    assert "data:image/png;base64," in (tmp_path / "a" / "report.html").read_text()
    (tmp_path / "a" / "report.html").unlink()
    again: list[str] = []
    assert whatif.main(["--report", str(tmp_path / "a")], echo=again.append) == 0
    assert again == lines[-1:] and (tmp_path / "a" / "report.html").exists()


def test_whatif_figures_do_not_depend_on_jobs(tiny_city: None, tmp_path: Path) -> None:
    """Two worker processes produce byte-identical outputs to one."""
    one = run(tmp_path / "one", jobs=1)
    two = run(tmp_path / "two", jobs=2)
    assert one == two
    for name in ("daily.csv", "plans.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
