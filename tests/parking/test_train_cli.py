"""`parking-train --from-db` on a newly onboarded city: too little history is a message, not a
crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from parking import train


class _Slept(Exception):
    """Raised by the fake sleep: the scheduled loop reached its wait."""


async def _too_little(*_: object) -> None:
    raise ValueError("too few observation pairs to fit any lead; need more history.")


def test_one_shot_without_history_exits_1_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single run with too little history exits with status 1 and says it did not train."""
    monkeypatch.setattr(train, "_from_db", _too_little)
    with pytest.raises(SystemExit) as e:
        train.main(["--from-db", "--tz", "UTC", "--out", str(tmp_path / "m.npz")])
    assert "not trained" in str(e.value.code) and "need more history" in str(e.value.code)


def test_scheduled_without_history_waits_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --every-hours, too little history is logged and the loop waits for its next run."""
    monkeypatch.setattr(train, "_from_db", _too_little)

    def sleep(_: float) -> None:
        raise _Slept

    monkeypatch.setattr(train.time, "sleep", sleep)
    with pytest.raises(_Slept):
        train.main(
            ["--from-db", "--tz", "UTC", "--every-hours", "24", "--out", str(tmp_path / "m.npz")]
        )
