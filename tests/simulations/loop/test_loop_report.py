"""The report page on hand-made rows: anchors, intervals, floor split, histogram and map."""

from __future__ import annotations

import re
from datetime import date

from simulations.loop.adherence_rows import AdherenceRow
from simulations.loop.bin_rows import BinOverflowRow, BinPlace
from simulations.loop.config import MON_SAT
from simulations.loop.fill_rows import FillRow, fill_rows
from simulations.loop.km_rows import KmRow
from simulations.loop.kpis import WorkWeek
from simulations.loop.kpis.comparison import compare
from simulations.loop.report import Extras, report_html
from simulations.loop.results import DayRow

SETTINGS = {  # (policy, param): (km, overflow, emptyings) per day
    ("fixed", "1"): (100.0, 10.0, 20),
    ("k-soonest", "10"): (70.0, 12.0, 10),
    ("platform", "0.5"): (60.0, 11.0, 9),
}
AFTER = 1


def day_rows(seeds: tuple[int, ...]) -> list[DayRow]:
    """Days 0-7 from a Monday; Sunday (day 6) not worked and overflowing 5x as much."""
    out = []
    for (p, q), (km, over, n) in SETTINGS.items():
        for seed in seeds:
            for d in range(8):
                k, c = (0.0, 0) if d == 6 else (km + seed, n)
                o = over * (5 if d == 6 else 1) + seed
                values = (500.0, 0, o, 1.0, k, k / 30, k / 10, c, 1, 2, 0.5, k / 3)
                out.append(DayRow(p, q, seed, d, *values))
    return out


def extras(seeds: tuple[int, ...]) -> Extras:
    """Fill rows, per-bin overflow, places and proof of service for every setting and seed."""
    fills: list[FillRow] = []
    over: list[BinOverflowRow] = []
    proof: list[AdherenceRow] = []
    for p, q in SETTINGS:
        for seed in seeds:
            for d in range(8):
                fills += fill_rows(p, q, seed, d, [0.1, 0.2, 0.6, 1.0] if d != 6 else [])
                if d != 6:  # 20 planned, 19 served, 1 disagreement, 0.5 km off route
                    counts = (20, 19, 1, 1, 0, 0, 1, 30.0, 0.5, 3000, 20, 19, 0)
                    proof.append(AdherenceRow(p, q, seed, d, *counts))
            over += [BinOverflowRow(p, q, seed, f"B{k}", float(k), float(k)) for k in range(3)]
    places = [BinPlace(f"B{k}", 12.5 + k / 100, 55.6 + k / 200, 110.0) for k in range(3)]
    week = WorkWeek(date(2024, 9, 2), MON_SAT)
    return Extras(fills, over, places, week, proof, km_rows(seeds))


def km_rows(seeds: tuple[int, ...]) -> list[KmRow]:
    """Per worked day: half the km between bins, 30 % to disposal, 20 % to depots; 2 unloads."""
    out = []
    for (p, q), (km, _, _) in SETTINGS.items():
        for seed in seeds:
            for d in range(8):
                k, n = (0.0, 0) if d == 6 else (km, 2)
                out.append(KmRow(p, q, seed, d, 0.5 * k, 0.3 * k, 0.2 * k, n, n // 2))
    return out


def page(seeds: tuple[int, ...], ex: Extras | None) -> str:
    rows = day_rows(seeds)
    return report_html(rows, compare(rows, after=AFTER), AFTER, "RESULT x=1", ex)


def test_report_quotes_the_published_anchors_beside_ours() -> None:
    """The paper's −41.7 % / −94 %, Nordsense's 40 % and BIN-CT's −20 % stand beside ours."""
    html = page((1, 2), extras((1, 2)))
    for text in ("arXiv 2409.13386", "−41.7 %", "−94 %", "Nordsense", "40 % of emptyings"):
        assert text in html
    assert "arXiv 1807.01603" in html and "−20 % distance per container" in html
    assert "50.0 % of emptyings (fixed k=1)" in html  # 0.1 and 0.2 of 4 are under 25 %


def test_report_draws_histogram_map_and_floor_split() -> None:
    """The histogram, map and day-type figures are embedded images; the floor split is shown."""
    html = page((1, 2), extras((1, 2)))
    for alt in ("Histogram of fill at emptying", "Map of overflow", "Overflow by day type"):
        assert f"<img alt='{alt}' title='{alt}' src='data:image/png;base64," in html
    assert "above floor, days not worked" in html
    assert "(sun)" in html
    assert "class='note'" not in html


def test_report_gives_intervals_across_seeds_or_na_for_one() -> None:
    """Two seeds give ± half-widths; one seed says n/a."""
    two = page((1, 2), extras((1, 2)))
    assert re.search(r"<span class='ci'>± \d", two) and "± n/a" not in two
    one = page((1,), extras((1,)))
    assert "<span class='ci'>± n/a</span>" in one and not re.search(r"± \d", one)


def test_report_degrades_with_a_note_when_optional_files_are_missing() -> None:
    """Without fills, per-bin files or calendar the page still renders and says what is missing."""
    html = page((1, 2), None)
    assert "fill_at_emptying.csv is missing" in html
    assert "overflow_bins.csv is missing" in html
    assert "split by day type is n/a" in html
    assert "adherence.csv is missing" in html
    assert "km_legs.csv is missing" in html
    assert "n/a (no fill_at_emptying.csv)" in html
    assert "Km against overflow" in html


def test_report_tabulates_proof_of_service() -> None:
    """Proof of service per setting: planned bins per seed, shares of them over evaluated days."""
    html = page((1, 2), extras((1, 2)))
    section = html.split("<h2>Proof of service</h2>", 1)[1]
    assert "report disagreements" in section and "off-route km" in section
    # days 1-5 and 7 are evaluated and worked: 6 x 20 planned, 95 % served, 5 % disagree, 3 km
    assert "<td>fixed</td><td>1</td><td>120</td><td>95.0 %</td><td>6.0</td>" in section
    assert "<td>5.0 %</td><td>3.0</td><td>0.0 %</td>" in section


def test_report_splits_the_km_by_kind_of_leg() -> None:
    """Each operating point's km between bins, to disposal and to depots; what no choice saves."""
    section = page((1, 2), extras((1, 2))).split("<h2>Where the km go</h2>", 1)[1]
    section = section.split("<h2>", 1)[0]
    # k-soonest (10): 70 km x 6 evaluated worked days = 420: 210 between bins, 126 + 84 others
    assert "drives 420 km: 210 between bins, 126 to and from the disposal site and 84" in section
    assert "50 % of its km are not between bins" in section
    assert "It unloads 12 times where the litres collected need at least 6" in section
    assert "would take 83 %" in section  # 41.7 % of 420 km = 175 km of the 210 between bins
    assert "<td>platform</td><td>0.5</td><td>360</td><td>180</td>" in section
