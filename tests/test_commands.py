"""Every command in [project.scripts] answers --help: options with defaults and the environment."""

from __future__ import annotations

import importlib
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]

# The environment variables each command's help must name.
ENV = {
    "city-day": ["KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "CITYOPS_CITY", "CITYOPS_PERSIST_DIR"],
    "city-plan": ["DATABASE_URL", "CITYOPS_STATE_DIR"],
    "city-plan-worker": ["DATABASE_URL", "CITYOPS_PLAN_JOB_LEASE_S", "CITYOPS_STATE_DIR"],
    "plan": ["DATABASE_URL", "CITYOPS_STATE_DIR"],
    "city-ingest": [
        "KAFKA_BOOTSTRAP_SERVERS",
        "DATABASE_URL",
        "CITYOPS_INGEST_BATCH_SIZE",
        "CITYOPS_LOG_FORMAT",
        "CITYOPS_KAFKA_SECURITY_PROTOCOL",
        "CITYOPS_METRICS_PORT",
    ],
    "city-db": [
        "DATABASE_URL",
        "CITYOPS_GPS_RETENTION_DAYS",
        "CITYOPS_ACCESS_LOG_RETENTION_DAYS",
        "CITYOPS_LOG_FORMAT",
        "CITYOPS_DB_INGEST_PASSWORD",
    ],
    "city-api": [
        "DATABASE_URL",
        "CITYOPS_JWT_SECRET",
        "CITYOPS_API_PORT",
        "CITYOPS_MAX_BODY_BYTES",
        "CITYOPS_COOKIE_SECURE",
    ],
    "parking-train": ["DATABASE_URL", "CITYOPS_CITY"],
    "parking-evaluate": ["CITYOPS_CITY"],
    "parking-export": ["CITYOPS_CITY"],
    "edinburgh-fit": ["CITYOPS_DATA_DIR"],
    "city-whatif": ["CITYOPS_CITY", "CITYOPS_DATA_DIR"],
    "city-admin": ["DATABASE_URL", "CITYOPS_CITY"],
    "city-fleet": ["DATABASE_URL", "CITYOPS_PSEUDONYM_KEY", "CITYOPS_FLEET_AGGREGATE_HOUR"],
    "city-services": [
        "KAFKA_BOOTSTRAP_SERVERS",
        "DATABASE_URL",
        "CITYOPS_TOPIC_GPS",
        "CITYOPS_PERSIST_DIR",
    ],
}


def _entry(script: str) -> Callable[[list[str]], object]:
    module, _, func = SCRIPTS[script].partition(":")
    main: Callable[[list[str]], object] = getattr(importlib.import_module(module), func)
    return main


def _help(script: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        _entry(script)(argv)
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_every_command_is_covered() -> None:
    """Each [project.scripts] entry has its expected environment listed here, and no extra."""
    assert set(ENV) == set(SCRIPTS)


def test_commands_are_installed() -> None:
    """scripts/bootstrap.sh installed every command next to the interpreter running the tests."""
    bin_dir = Path(sys.executable).parent
    assert [s for s in SCRIPTS if not (bin_dir / s).exists()] == []


@pytest.mark.parametrize("script", sorted(ENV))
def test_help_exits_0_and_names_the_environment(
    script: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`<command> --help` exits 0, shows its usage, defaults and environment variables."""
    out = _help(script, ["--help"], capsys)
    assert out.startswith("usage: ")
    assert "environment:" in out
    for var in ENV[script]:
        assert var in out, f"{script} --help does not mention {var}"
    if "--log-level" in out:
        assert "(default: " in out


@pytest.mark.parametrize("sub", ["migrate", "retention"])
def test_db_subcommands_have_help(sub: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`city-db migrate|retention --help` exits 0 and names DATABASE_URL."""
    assert "DATABASE_URL" in _help("city-db", [sub, "--help"], capsys)


def test_db_without_a_command_prints_help_and_deletes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`city-db` alone exits 2 with its help, before reading settings or connecting."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert _entry("city-db")([]) == 2
    err = capsys.readouterr().err
    assert "migrate" in err and "retention" in err
