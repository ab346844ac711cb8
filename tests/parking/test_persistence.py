"""Saving and loading a fitted model."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from parking.model import predict_times
from parking.persistence import ModelFileError, load_model, save_model


def _rewrite(path, out, version, drop=()):
    """Copy a saved model file with another format_version and some arrays left out."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k not in drop}
    header = json.loads(str(arrays["header"]))
    arrays["header"] = np.array(json.dumps({**header, "format_version": version}))
    np.savez_compressed(out, **arrays)


def _queries(city):
    """Every 997th count as a latest count, forecast an hour later."""
    rows = np.arange(0, len(city.table), 997)
    t = city.table
    return (
        t.site[rows],
        t.t_min[rows] + 60,
        t.free[rows].astype(float),
        t.t_min[rows].astype(float),
    )


def test_round_trip_preserves_predictions_and_meta(small_city, tmp_path):
    """A loaded model predicts exactly what the saved one did and keeps its training window."""
    m = small_city.model
    path = tmp_path / "m.npz"
    save_model(m, path)
    back = load_model(path)
    args = _queries(small_city)
    for a, b in zip(predict_times(m, *args), predict_times(back, *args), strict=True):
        np.testing.assert_allclose(a, b)
    assert (
        back.meta["train_start"] == m.meta["train_start"]
        and back.sites.site_ids == m.sites.site_ids
    )


def test_round_trip_keeps_every_lead_band_map(small_city, tmp_path):
    """Band edges, per-band maps and sample counts come back exactly as saved."""
    cal = small_city.model.calibrator
    assert len(cal.bands) == len(cal.edges) + 1 > 1
    save_model(small_city.model, tmp_path / "m.npz")
    back = load_model(tmp_path / "m.npz").calibrator
    np.testing.assert_array_equal(back.edges, cal.edges)
    assert back.band_samples == cal.band_samples
    for a, b in zip(back.bands, cal.bands, strict=True):
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.y, b.y)


def test_version_1_file_loads_with_its_pooled_map(small_city, tmp_path):
    """A format-1 file (one calibration map) predicts as the model with that map at every lead."""
    m = small_city.model
    save_model(m, tmp_path / "m.npz")
    band_arrays = ("cal_edges", "cal_band_len", "cal_band_x", "cal_band_y", "cal_band_samples")
    _rewrite(tmp_path / "m.npz", tmp_path / "v1.npz", 1, drop=band_arrays)
    old = load_model(tmp_path / "v1.npz")
    pooled = replace(m, calibrator=m.calibrator.pooled_only())
    q = _queries(small_city)
    np.testing.assert_allclose(predict_times(old, *q)[0], predict_times(pooled, *q)[0])
    assert old.calibrator.bands == ()


def test_unknown_format_version_is_refused_by_name(small_city, tmp_path):
    """A file from a newer format raises ModelFileError naming its version and the readable ones."""
    save_model(small_city.model, tmp_path / "m.npz")
    _rewrite(tmp_path / "m.npz", tmp_path / "v9.npz", 9)
    with pytest.raises(ModelFileError, match=r"format_version 9, this code reads 1, 2"):
        load_model(tmp_path / "v9.npz")


def test_garbage_file_is_rejected(tmp_path):
    """A file that is not a model raises ModelFileError."""
    path = tmp_path / "x.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        load_model(path)
