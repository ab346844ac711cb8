"""The CVRPLIB benchmark's size bands (the figures the routing issue asks for per band)."""

from __future__ import annotations

import math

from benchmarks.cvrplib import band_figures


def test_each_instance_counts_in_the_band_of_its_customer_count():
    rows = [(100, 0.1), (300, 0.5), (301, 1.0), (600, 2.0), (601, 3.0), (1000, 4.0)]
    assert band_figures(rows) == {
        "le300_n": "2",
        "le300_avg": "0.30",
        "le300_max": "0.50",
        "301_600_n": "2",
        "301_600_avg": "1.50",
        "301_600_max": "2.00",
        "gt600_n": "2",
        "gt600_avg": "3.50",
        "gt600_max": "4.00",
    }


def test_bands_without_instances_are_left_out_and_an_infeasible_plan_is_the_worst():
    figures = band_figures([(200, 0.25), (250, math.inf)])
    assert set(figures) == {"le300_n", "le300_avg", "le300_max"}
    assert figures["le300_max"] == "inf"
