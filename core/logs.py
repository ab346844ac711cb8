"""Log output: plain text locally, one JSON object per line in a deployment
(``CITYOPS_LOG_FORMAT=json``), both through the standard library's ``logging``.

A JSON line carries ``ts`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, the exception if
any, and the record's ``extra`` fields. Extra fields that name personal data (a username, a
password, a position) are replaced by ``"[redacted]"``: the project logs topics, counts and ids
of municipal assets, never people (HELPERS-README, PRIVACY.md).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"
# extra fields never written as they are (lower case)
PERSONAL_KEYS = frozenset(
    {"username", "user", "password", "token", "lat", "lon", "location", "position", "email"}
)
# attributes every LogRecord has; anything else was passed as ``extra``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def _plain(value: Any) -> Any:
    """A JSON-serialisable form of an extra field's value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message, exc_info, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_") or key in out:
                continue
            out[key] = REDACTED if key.lower() in PERSONAL_KEYS else _plain(value)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(
    level: int | str = logging.INFO, log_format: str = "text", text_format: str = TEXT_FORMAT
) -> None:
    """Route the root logger to stderr as ``text`` (``text_format``) or ``json`` lines. Like
    ``logging.basicConfig``, it does nothing when the root logger has handlers already (a test
    runner's, or an earlier call)."""
    if log_format not in ("text", "json"):
        raise ValueError(f"log_format must be 'text' or 'json', not {log_format!r}.")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(text_format)
    )
    logging.basicConfig(level=level, handlers=[handler])
