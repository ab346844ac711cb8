"""Isotonic recalibration per lead band, with a pooled fall-back (pure).

The raw model is mis-calibrated differently a few minutes ahead (where the latest count dominates)
than hours ahead (where the time-of-week profile does), so one map fitted on all leads can be
over-confident at one lead and under-confident at another. A :class:`LeadCalibrator` holds one
isotonic map per band of leads (``edges`` are the bands' upper ends in minutes, each band is
``(previous edge, edge]``, the last one unbounded) and a pooled map fitted on every lead. A band
with fewer than ``min_samples`` calibration samples uses the pooled map. Each map is monotone
non-decreasing in the raw probability, so at a fixed lead the calibrated forecast still never
falls when the raw one rises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from parking.isotonic import IDENTITY, Calibrator, fit_isotonic


@dataclass(frozen=True, slots=True)
class LeadCalibrator:
    """A pooled map and, optionally, one map per lead band (``len(bands) == len(edges) + 1``)."""

    pooled: Calibrator
    edges: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bands: tuple[Calibrator, ...] = ()
    band_samples: tuple[int, ...] = ()  # calibration samples per band (0 when unknown)

    def __post_init__(self) -> None:
        if np.any(np.diff(self.edges) <= 0) or np.any(self.edges <= 0):
            raise ValueError("lead band edges must be positive and strictly increasing.")
        if self.bands and len(self.bands) != len(self.edges) + 1:
            raise ValueError("need one map per lead band (len(edges) + 1), or none.")
        if self.band_samples and len(self.band_samples) != len(self.bands):
            raise ValueError("band_samples must have one count per band.")

    def band_of(self, lead: np.ndarray) -> np.ndarray:
        """Band index per lead (minutes); NaN leads fall in the last band."""
        lead = np.asarray(lead, float)
        return np.where(
            np.isfinite(lead), np.searchsorted(self.edges, lead, side="left"), len(self.edges)
        )

    def __call__(self, p: np.ndarray, lead: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw ``p`` at ``lead`` minutes (aligned arrays)."""
        p = np.asarray(p, float)
        if not self.bands:
            return self.pooled(p)
        band = self.band_of(np.broadcast_to(lead, p.shape))
        out = np.empty_like(p)
        for b, cal in enumerate(self.bands):
            m = band == b
            out[m] = cal(p[m])
        return out

    def pooled_only(self) -> LeadCalibrator:
        """The same calibration without lead bands (the pooled map at every lead)."""
        return LeadCalibrator(self.pooled)


NO_CALIBRATION = LeadCalibrator(IDENTITY)


def fit_lead_calibrator(
    p: np.ndarray,
    y: np.ndarray,
    lead: np.ndarray,
    edges: tuple[int, ...] | np.ndarray,
    min_samples: int = 5000,
    min_block: int = 200,
) -> LeadCalibrator:
    """Isotonic maps of ``y`` on raw ``p`` per lead band, the pooled map where a band is thin."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    pooled = fit_isotonic(p, y, min_block)
    edges_arr = np.asarray(edges, float)
    if len(edges_arr) == 0:
        return LeadCalibrator(pooled)
    shell = LeadCalibrator(pooled, edges_arr)
    band = shell.band_of(lead)
    maps, counts = [], []
    for b in range(len(edges_arr) + 1):
        m = band == b
        counts.append(int(m.sum()))
        maps.append(fit_isotonic(p[m], y[m], min_block) if m.sum() >= min_samples else pooled)
    return LeadCalibrator(pooled, edges_arr, tuple(maps), tuple(counts))
