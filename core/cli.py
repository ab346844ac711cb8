"""What every command's ``--help`` shares: option defaults and the environment it reads.

parser = argparse.ArgumentParser(
    description=..., formatter_class=HelpFormatter, epilog=env_epilog("DATABASE_URL")
)
"""

from __future__ import annotations

import argparse
import textwrap

# What each environment variable means to a command; defaults come from core.settings.
ENV_VARS = {
    "DATABASE_URL": "PostgreSQL DSN, postgresql://user:password@host:5432/db (also read as"
    " CITYOPS_DATABASE_URL)",
    "KAFKA_BOOTSTRAP_SERVERS": "Kafka brokers, host:port[,host:port...] (also read as"
    " CITYOPS_KAFKA_BOOTSTRAP_SERVERS)",
    "CITYOPS_ENVIRONMENT": "development, test or production (all but development refuse"
    " placeholder secrets and secrets shorter than 32 bytes)",
    "CITYOPS_MAX_BODY_BYTES": "largest request body the API accepts (bytes; larger: 413)",
    "CITYOPS_MAX_UPLOAD_BYTES": "largest inventory file the API's import accepts (bytes)",
    "CITYOPS_COOKIE_SECURE": "session cookie only over HTTPS (true/false; unset: true in"
    " production)",
    "CITYOPS_CITY": "city profile: a built-in name (core/cities/) or a profile directory",
    "CITYOPS_DATA_DIR": "shared data: OpenStreetMap extracts, Edinburgh bins, ...",
    "CITYOPS_DEMO_DIR": "the demo's inventory files (sites.geojson, placement.json); empty:"
    " simulations/cities/<city>/",
    "CITYOPS_STATE_DIR": "writable state: travel-matrix cache, parking model",
    "CITYOPS_GPS_RETENTION_DAYS": "days of raw GPS history kept; older daily partitions are"
    " dropped",
    "CITYOPS_FLEET_AGGREGATE_RETENTION_DAYS": "days of the pseudonymised fleet aggregates kept"
    " (default 400)",
    "CITYOPS_ACCESS_LOG_RETENTION_DAYS": "days of access-log rows `city-db retention` keeps"
    " (unset: all are kept)",
    "CITYOPS_JWT_SECRET": "secret signing the API's access tokens",
    "CITYOPS_DB_INGEST_PASSWORD": "password of the consumers' database login cityops_ingest_svc"
    " (city-db logins; at least 16 characters)",
    "CITYOPS_DB_API_PASSWORD": "password of the API's and jobs' database login cityops_api_svc"
    " (city-db logins; at least 16 characters)",
    "CITYOPS_PSEUDONYM_KEY": "key of the vehicles' pseudonyms in fleet reports",
    "CITYOPS_API_HOST": "address the API listens on",
    "CITYOPS_API_PORT": "port the API listens on",
    "CITYOPS_TILE_URL": "map tile URL template (empty: the OpenStreetMap streets drawn offline)",
    "CITYOPS_PARKING_REFRESH_S": "seconds the API reuses the parking sites' latest counts",
    "CITYOPS_PARKING_RELOAD_S": "seconds between the API's checks of the parking model file for a"
    " newly trained model (0: load it at start-up only)",
    "CITYOPS_RETENTION_INTERVAL_H": "hours between the API's retention runs (at start-up, then"
    " every interval; 0: never, run city-db retention from cron instead)",
    "CITYOPS_ALERT_SILENT_HOURS": "hours without a reading before a bin's sensor is reported"
    " silent",
    "CITYOPS_ALERT_STUCK_HOURS": "hours of one repeated reading before a bin's sensor is reported"
    " stuck",
    "CITYOPS_ALERT_LOW_BATTERY": "a fill sensor's batteryLevel (fraction) below this is reported",
    "CITYOPS_FLEET_AGGREGATE_HOUR": "local hour at which the API stores the previous day's fleet"
    " aggregates (-1: never)",
    "CITYOPS_PLAN_WORKER": "inline: plan jobs run in the API's process; external: the API only"
    " enqueues them and city-plan-worker processes run them",
    "CITYOPS_PLAN_JOB_LEASE_S": "seconds a plan worker may stay silent before its running job is"
    " taken again by another worker",
    "CITYOPS_PLAN_JOB_MAX_ATTEMPTS": "times a plan job is started before it is marked failed",
    "CITYOPS_PLAN_WORKER_CONCURRENCY": "plan jobs one worker runs at a time",
    "CITYOPS_PERSIST_DIR": "keep the embedded broker's and database's data in this directory"
    " across runs (default: thrown away on stop)",
    "CITYOPS_TOPIC_FILL": "bin fill topic",
    "CITYOPS_TOPIC_GPS": "vehicle GPS topic",
    "CITYOPS_TOPIC_PARKING": "parking counts topic",
    "CITYOPS_TOPIC_DEAD_LETTER": "dead-letter topic",
    "CITYOPS_TOPIC_PARTITIONS": "partitions of topics this command creates",
    "CITYOPS_TOPIC_REPLICATION": "replication factor of topics this command creates (3 on a"
    " production cluster)",
    "CITYOPS_INGEST_BATCH_SIZE": "messages per database write",
    "CITYOPS_CONSUMER_SESSION_TIMEOUT_MS": "Kafka consumer group session timeout",
    "CITYOPS_MAX_FUTURE_SKEW_S": "readings further in the future are dead-lettered",
    "CITYOPS_LOG_FORMAT": "text, or json: one JSON object per line (deployments)",
    "CITYOPS_METRICS_PORT": "port of this process's Prometheus /metrics (0: off)",
    "CITYOPS_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
    "CITYOPS_KAFKA_SASL_MECHANISM": "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with SASL_*)",
    "CITYOPS_KAFKA_SASL_USERNAME": "the Kafka client's SASL user (with SASL_*)",
    "CITYOPS_KAFKA_SASL_PASSWORD": "the Kafka client's SASL password (with SASL_*)",
    "CITYOPS_KAFKA_SSL_CAFILE": "CA bundle (PEM) of the brokers' certificates (with *SSL)",
}
UNPREFIXED = {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"}


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the description's and epilog's line breaks; shows each option's default when it has
    one (not for flags, required options, empty defaults or help that already states it)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            action.required
            or default is None
            or default is False
            or default == []
            or default == ""
            or default is argparse.SUPPRESS
            or "default" in text
        ):
            return text
        return super()._get_help_string(action)


def _default(name: str) -> str:
    """The settings default of ``name`` as help text ('' when there is none worth showing)."""
    from core.settings import Settings  # class metadata only: nothing is read from the env here

    if name in UNPREFIXED:
        return ""
    field = Settings.model_fields.get(name.removeprefix("CITYOPS_").lower())
    if field is None or field.default in (None, "") or "SECRET" in name or "KEY" in name:
        return ""
    return f" (default: {field.default})"


def env_epilog(*names: str, note: str = "") -> str:
    """An ``environment:`` block for argparse's epilog: each variable the command reads, what it
    means and its default, then ``note``; a ``.env`` file in the working directory also works."""
    unknown = [n for n in names if n not in ENV_VARS]
    if unknown:
        raise ValueError(f"undocumented environment variables: {unknown}")
    lines = ["environment:"]
    if not names:
        lines.append("  none (everything comes from the options)")
    width = max((len(n) for n in names), default=0)
    for n in names:
        first, rest = f"  {n:<{width}}  ", " " * (width + 4)
        lines += textwrap.wrap(
            f"{ENV_VARS[n]}{_default(n)}", 98, initial_indent=first, subsequent_indent=rest
        )
    if note:
        lines += textwrap.wrap(note, 98, initial_indent="  ", subsequent_indent="  ")
    if names:
        lines.append("  Settings are also read from a .env file; all of them: core/settings.py.")
    return "\n".join(lines)
