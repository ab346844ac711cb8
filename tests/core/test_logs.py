"""JSON log lines: one valid object per record, extra fields kept, personal ones redacted."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from core.logs import REDACTED, JsonFormatter, configure_logging


def _record(msg: str, *args: object, extra: dict[str, object] | None = None) -> logging.LogRecord:
    logger = logging.getLogger("cityops.test")
    record = logger.makeRecord("cityops.test", logging.WARNING, __file__, 1, msg, args, None)
    for k, v in (extra or {}).items():
        setattr(record, k, v)
    return record


def test_record_renders_as_one_json_object() -> None:
    """ts, level, logger, message (arguments applied) and extra fields, on one line."""
    line = JsonFormatter().format(
        _record("batch of %d stored", 42, extra={"topic": "bins.fill.v1", "partition": 2})
    )
    assert "\n" not in line
    out = json.loads(line)
    assert out["level"] == "WARNING"
    assert out["logger"] == "cityops.test"
    assert out["message"] == "batch of 42 stored"
    assert out["ts"].endswith("+00:00")
    assert out["topic"] == "bins.fill.v1" and out["partition"] == 2


def test_personal_extra_fields_are_redacted() -> None:
    """A username, a password or a position passed as extra never reaches the line."""
    extra = {"username": "ada", "password": "hunter2", "lat": 55.69, "lon": 12.56, "count": 3}
    line = JsonFormatter().format(_record("login", extra=extra))
    out = json.loads(line)
    for key in ("username", "password", "lat", "lon"):
        assert out[key] == REDACTED
    assert out["count"] == 3
    assert "ada" not in line and "hunter2" not in line and "55.69" not in line


def test_exceptions_and_odd_values_stay_valid_json() -> None:
    """An exception's traceback, quotes, newlines and non-JSON values still give valid JSON."""
    try:
        raise ValueError('bad "value"\nsecond line')
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed: %s", ("ø",), sys.exc_info()
        )
    record.when = object()
    record.ids = ("b1", "b2")
    out = json.loads(JsonFormatter().format(record))
    assert "ValueError" in out["exc_info"]
    assert out["message"] == "failed: ø"
    assert out["ids"] == ["b1", "b2"]
    assert isinstance(out["when"], str)


def test_configure_logging_json_writes_json_lines() -> None:
    """A process configured for JSON writes each record as a JSON line on stderr."""
    code = (
        "import logging; from core.logs import configure_logging;"
        "configure_logging('INFO', 'json');"
        "logging.getLogger('ingest').info('stored %d', 5, extra={'topic': 't'})"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in r.stderr.splitlines()]
    assert lines == [
        {
            "ts": lines[0]["ts"],
            "level": "INFO",
            "logger": "ingest",
            "message": "stored 5",
            "topic": "t",
        }
    ]


def test_unknown_format_is_refused() -> None:
    """Only text and json are formats."""
    with pytest.raises(ValueError, match="log_format"):
        configure_logging(logging.INFO, "xml")
