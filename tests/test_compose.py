"""docker-compose.yml runs what exists: every service's command is an installed command (or the
image's own), every environment variable a platform service sets is a setting the code reads,
Kafka keeps its data on its volume, and the alert rules use metrics the code defines."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML: in every install through uvicorn[standard] (locks/*.txt)
from prometheus_client import REGISTRY
from pydantic import AliasChoices

import core.metrics  # noqa: F401  (registers the cityops_* metrics)
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
ALERTS = ROOT / "ops" / "prometheus" / "alerts.yml"
PROMETHEUS = ROOT / "ops" / "prometheus" / "prometheus.yml"

# Services running someone else's image: their command (if any) is that image's, and their
# environment is the image's own configuration, not the platform's settings.
IMAGES = {"kafka": "apache/kafka", "postgres": "postgis/postgis", "prometheus": "prom/prometheus"}
IMAGE_ENV = {
    "kafka": re.compile(r"^(KAFKA_\w+|CLUSTER_ID)$"),
    "postgres": re.compile(r"^POSTGRES_"),
}


def _setting_env_names() -> set[str]:
    """Every environment variable Settings reads: CITYOPS_<FIELD>, or its aliases."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(a for a in alias.choices if isinstance(a, str))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


SETTING_ENV = _setting_env_names()
PLATFORM = sorted(n for n in SERVICES if n not in IMAGES)


def test_services_are_platform_or_known_images() -> None:
    """Each service either builds the platform's image or runs a known image."""
    for name, svc in SERVICES.items():
        if name in IMAGES:
            assert str(svc["image"]).startswith(IMAGES[name] + ":"), name
        else:
            assert "build" in svc and "image" not in svc, name


@pytest.mark.parametrize("name", PLATFORM)
def test_platform_command_is_a_project_script(name: str) -> None:
    """A platform service's command starts with a [project.scripts] entry."""
    command = SERVICES[name]["command"]
    assert isinstance(command, list) and command, f"{name}: command must be an exec list"
    assert command[0] in SCRIPTS, f"{name}: {command[0]!r} is not in [project.scripts]"


def test_image_commands_are_the_images_own() -> None:
    """Known images run their entrypoint: no command, or options to it."""
    for name in IMAGES:
        command = SERVICES[name].get("command")
        assert command is None or all(str(a).startswith("--") for a in command), name


@pytest.mark.parametrize("name", PLATFORM)
def test_platform_environment_is_known_settings(name: str) -> None:
    """Every variable set on a platform service is read by core/settings.py."""
    env = SERVICES[name].get("environment") or {}
    assert isinstance(env, dict), f"{name}: environment must be a mapping"
    assert sorted(set(env) - SETTING_ENV) == []


def test_image_environment_is_the_images_own() -> None:
    """kafka and postgres get only their image's variables (KAFKA_*, POSTGRES_*)."""
    for name, pattern in IMAGE_ENV.items():
        env = SERVICES[name].get("environment") or {}
        assert [k for k in env if not pattern.match(k)] == [], name


def test_kafka_logs_are_on_its_volume() -> None:
    """KAFKA_LOG_DIRS is the directory the kafka-data volume is mounted on."""
    kafka = SERVICES["kafka"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in kafka["volumes"]}
    assert mounts.get(kafka["environment"]["KAFKA_LOG_DIRS"]) == "kafka-data"
    assert "kafka-data" in COMPOSE["volumes"]


def test_api_has_a_readiness_health_check_and_scheduled_jobs_run_as_services() -> None:
    """The api is checked on /readyz; retention, fleet aggregates and parking training are
    long-lived services on a schedule (and the api's own timers for them are off)."""
    assert "/readyz" in " ".join(SERVICES["api"]["healthcheck"]["test"])
    scheduled = {
        n: s["command"] for n, s in SERVICES.items() if "--every-hours" in s.get("command", [])
    }
    assert {tuple(c[:2]) for c in scheduled.values()} >= {
        ("city-db", "retention"),
        ("city-fleet", "aggregate"),
        ("parking-train", "--from-db"),
    }
    for name in scheduled:
        assert SERVICES[name].get("restart", "unless-stopped") == "unless-stopped", name
    env = SERVICES["api"]["environment"]
    assert str(env["CITYOPS_RETENTION_INTERVAL_H"]) == "0"
    assert str(env["CITYOPS_FLEET_AGGREGATE_HOUR"]) == "-1"


def _families() -> set[str]:
    return {m.name for m in REGISTRY.collect() if m.name.startswith("cityops_")}


def test_alert_rules_use_defined_metrics() -> None:
    """Every cityops_* series an alert reads is defined in core/metrics.py, and the rules cover
    consumer lag, dead letters and the day plan."""
    rules = [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]
    assert rules and all({"alert", "expr"} <= set(r) for r in rules)
    used = {m for r in rules for m in re.findall(r"cityops_\w+", str(r["expr"]))}
    suffix = re.compile(r"_(total|bucket|count|sum)$")
    assert sorted({m for m in used if suffix.sub("", m) not in _families()}) == []
    assert {"cityops_consumer_lag_messages", "cityops_last_plan_timestamp_seconds"} <= used
    assert "cityops_ingest_messages_dead_lettered_total" in used


def test_prometheus_loads_the_rules_and_scrapes_the_metrics_ports() -> None:
    """The monitoring profile's Prometheus reads alerts.yml and scrapes the api and the ingest
    containers on their CITYOPS_METRICS_PORT."""
    config = yaml.safe_load(PROMETHEUS.read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    assert "monitoring" in SERVICES["prometheus"]["profiles"]
    text = PROMETHEUS.read_text()
    assert "api:8000" in text
    for name in ("ingest-fill", "ingest-gps", "ingest-parking", "plan-worker"):
        port = SERVICES[name]["environment"]["CITYOPS_METRICS_PORT"]
        assert name in text and f"port: {port}" in text


def test_services_connect_with_least_privilege_logins() -> None:
    """Only the schema jobs connect as the database owner; consumers use the ingest login and
    every other platform service the API login (core/db/logins.py)."""
    for name in PLATFORM:
        url = str(SERVICES[name]["environment"]["DATABASE_URL"])
        user = url.split("://", 1)[1].split(":", 1)[0]
        if name in {"migrate", "db-logins"}:
            assert user == "cityops", name
        elif name.startswith("ingest-"):
            assert user == "cityops_ingest_svc", name
        else:
            assert user == "cityops_api_svc", name
    assert SERVICES["db-logins"]["command"] == ["city-db", "logins"]
