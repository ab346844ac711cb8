"""Colour scales shared by the maps and their legends (pure)."""

from __future__ import annotations

import math

GREEN, AMBER, RED, GREY = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e"
ORANGE, TEAL = "#ef6c00", "#00838f"
STATUS_COLOURS = {"planned": "#1565c0", "emptied": GREEN, "skipped": "#6a1b9a"}
# a route stop's status without colour: (radius, dash pattern or None); emptied stops shrink,
# skipped ones are dashed
STOP_STATUS_STYLE: dict[str, tuple[int, str | None]] = {
    "planned": (7, None),
    "emptied": (4, None),
    "skipped": (7, "3 3"),
}
# proof of service (VisitView.state): served, missed, served out of sequence, served unplanned
VISIT_COLOURS = {"served": GREEN, "missed": RED, "out_of_sequence": ORANGE, "unplanned": TEAL}
OFF_ROUTE_COLOUR = RED
ALERT_COLOUR = "#b71c1c"
ROUTE_PALETTE = (
    "#1565c0",
    "#ef6c00",
    "#6a1b9a",
    "#00838f",
    "#ad1457",
    "#558b2f",
    "#4e342e",
    "#283593",
    "#d84315",
    "#00695c",
)


# a bin's fill status (fill_status): colour, and the marker radius that tells them apart
# without colour (with the tooltip's label and the legend)
BIN_STATUS_COLOURS = {"low": GREEN, "filling": AMBER, "full": RED, "unknown": GREY}
BIN_STATUS_RADIUS = {"low": 4, "filling": 6, "full": 8, "unknown": 5}


def fill_status(level: float | None, threshold: float = 0.8) -> str:
    """``low`` below half the threshold, ``filling`` up to it, ``full`` at or above it,
    ``unknown`` without a level."""
    if level is None or not math.isfinite(level):
        return "unknown"
    if level >= threshold:
        return "full"
    return "filling" if level >= threshold / 2 else "low"


def fill_colour(level: float | None, threshold: float = 0.8) -> str:
    """Green below half the threshold, amber up to it, red at or above it; grey if unknown."""
    return BIN_STATUS_COLOURS[fill_status(level, threshold)]


def probability_colour(p: float | None) -> str:
    """Parking likelihood: red below 0.5, amber below 0.8, green from 0.8; grey if unknown."""
    if p is None or not math.isfinite(p):
        return GREY
    return GREEN if p >= 0.8 else AMBER if p >= 0.5 else RED


# parking likelihood without colour: the likelier a free space, the larger the circle; unlikely
# sites are dashed (with the tooltip's percentage, the legend and the page's list)
PARKING_STATUS_RADIUS = {"likely": 11, "maybe": 8, "unlikely": 5, "unknown": 5}


def probability_status(p: float | None) -> str:
    """``likely`` from 0.8, ``maybe`` from 0.5, ``unlikely`` below; ``unknown`` without one
    (the bands of :func:`probability_colour`)."""
    if p is None or not math.isfinite(p):
        return "unknown"
    return "likely" if p >= 0.8 else "maybe" if p >= 0.5 else "unlikely"


def route_colour(index: int) -> str:
    """A distinct colour per route, cycling through the palette."""
    return ROUTE_PALETTE[index % len(ROUTE_PALETTE)]


def visit_colour(state: str) -> str:
    """Proof of service: green served, red missed, orange out of sequence, teal unplanned."""
    return VISIT_COLOURS.get(state, GREY)
