"""Saving and loading a fitted model."""

from __future__ import annotations

import numpy as np
import pytest

from parking.model import predict_times
from parking.persistence import ModelFileError, load_model, save_model


def test_round_trip_preserves_predictions_and_meta(small_city, tmp_path):
    """A loaded model predicts exactly what the saved one did and keeps its training window."""
    m = small_city.model
    path = tmp_path / "m.npz"
    save_model(m, path)
    back = load_model(path)
    rows = np.arange(0, len(small_city.table), 997)
    t = small_city.table
    args = (
        t.site[rows],
        t.t_min[rows] + 60,
        t.free[rows].astype(float),
        t.t_min[rows].astype(float),
    )
    for a, b in zip(predict_times(m, *args), predict_times(back, *args), strict=True):
        np.testing.assert_allclose(a, b)
    assert (
        back.meta["train_start"] == m.meta["train_start"]
        and back.sites.site_ids == m.sites.site_ids
    )


def test_garbage_file_is_rejected(tmp_path):
    """A file that is not a model raises ModelFileError."""
    path = tmp_path / "x.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        load_model(path)
