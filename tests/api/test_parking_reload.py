"""Serving keeps up: a newly trained parking model is picked up without a restart; a bad file
keeps the served model."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.parking_service import ParkingService, ParkingUnavailable, file_signature
from api.ratelimit import RateLimit
from parking.persistence import load_model, save_model
from tests.api.conftest import Seed
from tests.api.conftest import test_settings as api_settings

NEAR = {"lon": 12.5889, "lat": 55.6954, "radius_m": 2000, "limit": 20}


def _write_atomically(model_path: Path, source: Path, *, shift: float = 0.0) -> None:
    """What parking-train does: write a temporary file, then os.replace it over the model.
    ``shift`` moves the model's intercepts (a visibly different model)."""
    model = load_model(source)
    if shift:
        coef = model.coef.copy()
        coef[:, 0] += shift
        model = replace(model, coef=coef, meta={**model.meta, "variant": shift})
    tmp = model_path.with_suffix(".tmp.npz")
    save_model(model, tmp)
    os.replace(tmp, model_path)


def _until(what: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not what():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


def _answer(c: TestClient, at: str) -> list[tuple[str, float]]:
    r = c.get("/citizen/parking", params={**NEAR, "at": at})
    assert r.status_code == 200, r.text
    return [(x["site_id"], x["p_free"]) for x in r.json()["candidates"]]


@pytest.mark.integration
def test_new_model_file_is_served_without_restart_and_a_corrupt_one_is_not(
    seeded: Seed, parking_model_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Model A answers; model B written over it answers within a few checks, same process;
    garbage written over B is refused with a warning and B keeps answering."""
    path = tmp_path / "parking_model.npz"
    _write_atomically(path, parking_model_file)
    settings = api_settings(tmp_path).model_copy(update={"parking_reload_s": 0.05})
    app = create_app(
        settings, seeded.dsn, parking_model_path=path, citizen_limit=RateLimit(1000, 1000)
    )
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0).isoformat()
    with TestClient(app) as c:
        service: ParkingService = app.state.api.parking
        a = _answer(c, at)
        assert a and service.reloads == 0

        _write_atomically(path, parking_model_file, shift=-3.0)
        _until(lambda: service.reloads == 1)
        b = _answer(c, at)
        assert b != a
        assert service.require().meta["variant"] == -3.0

        caplog.set_level(logging.WARNING, logger="api.parking_service")
        path.write_bytes(b"PK\x03\x04 half a zip file")  # a careless copy, not os.replace
        _until(lambda: service.rejected == file_signature(path))
        assert _answer(c, at) == b
        assert service.reloads == 1
        assert any("did not load" in r.getMessage() for r in caplog.records)

        _write_atomically(path, parking_model_file)  # a good file again: served again
        _until(lambda: service.reloads == 2)
        assert _answer(c, at) == a


def test_model_appearing_after_start_is_loaded(parking_model_file: Path, tmp_path: Path) -> None:
    """No model at start-up: 503 until the first training writes one, then it serves."""
    path = tmp_path / "later.npz"
    service = ParkingService.from_file(path)
    with pytest.raises(ParkingUnavailable):
        service.require()

    async def go() -> tuple[bool, bool]:
        nothing = await service.reload_if_changed()
        _write_atomically(path, parking_model_file)
        return nothing, await service.reload_if_changed()

    assert asyncio.run(go()) == (False, True)
    assert service.require().sites.site_ids


def test_unchanged_file_is_not_read_again(parking_model_file: Path, tmp_path: Path) -> None:
    """A check of an unchanged file is one stat: the served object stays the same."""
    path = tmp_path / "m.npz"
    _write_atomically(path, parking_model_file)
    service = ParkingService.from_file(path)
    before = service.require()
    assert asyncio.run(service.reload_if_changed()) is False
    assert service.require() is before
