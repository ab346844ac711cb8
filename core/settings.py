"""The one settings object. Only entry points read it; library functions take arguments."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.city import CityProfile
from core.city_files import load_profile

PLACEHOLDER_SECRET = "change-me"
MIN_SECRET_BYTES = 32
_PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "placeholder", "replace-me")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DATA_CANDIDATES = (PROJECT_ROOT.parent / "shared" / "data", Path("/work/shared/data"))
# ../shared/data beside the checkout; a clone elsewhere on the same machine finds /work/shared.
DEFAULT_DATA_DIR = next((p for p in _DATA_CANDIDATES if p.is_dir()), _DATA_CANDIDATES[0])


def secret_problem(value: str) -> str:
    """What is wrong with ``value`` as a production secret (placeholder, too short, one repeated
    character), or ``""`` when nothing is."""
    if not value or any(w in value.lower() for w in _PLACEHOLDER_WORDS):
        return "is a placeholder: set a random secret"
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    if len(set(value)) < 8:
        return "is not random (fewer than 8 distinct characters)"
    return ""


class KafkaClientSettings(BaseSettings):
    """How Kafka clients authenticate (``CITYOPS_KAFKA_*``): PLAINTEXT by default; SASL (PLAIN or
    SCRAM) and/or TLS against a secured cluster. Read alone by the Kafka client factories, so a
    client never needs the platform's other secrets."""

    model_config = SettingsConfigDict(env_prefix="CITYOPS_", env_file=".env", extra="ignore")

    kafka_security_protocol: str = Field(
        "PLAINTEXT", pattern="^(PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL)$"
    )
    kafka_sasl_mechanism: str = Field("", pattern="^(|PLAIN|SCRAM-SHA-256|SCRAM-SHA-512)$")
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: Path | None = None  # CA bundle (PEM) of the brokers' certificates

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> KafkaClientSettings:
        if self.kafka_security_protocol.startswith("SASL_"):
            if not self.kafka_sasl_mechanism:
                raise ValueError("CITYOPS_KAFKA_SASL_MECHANISM must be set with SASL.")
            if not (self.kafka_sasl_username and self.kafka_sasl_password.get_secret_value()):
                raise ValueError(
                    "CITYOPS_KAFKA_SASL_USERNAME and CITYOPS_KAFKA_SASL_PASSWORD must be set"
                    " with SASL."
                )
        return self

    def kafka_client_options(self) -> dict[str, object]:
        """kafka-python keyword arguments (producer, consumer, admin) for this security setup;
        empty for PLAINTEXT, so the defaults stay untouched."""
        protocol = self.kafka_security_protocol
        if protocol == "PLAINTEXT":
            return {}
        options: dict[str, object] = {"security_protocol": protocol}
        if protocol.startswith("SASL_"):
            options["sasl_mechanism"] = self.kafka_sasl_mechanism
            options["sasl_plain_username"] = self.kafka_sasl_username
            options["sasl_plain_password"] = self.kafka_sasl_password.get_secret_value()
        if protocol.endswith("SSL") and self.kafka_ssl_cafile is not None:
            options["ssl_cafile"] = str(self.kafka_ssl_cafile)
        return options


class Settings(KafkaClientSettings):
    """Platform configuration from ``CITYOPS_*`` environment variables or a ``.env`` file.

    ``KAFKA_BOOTSTRAP_SERVERS`` and ``DATABASE_URL`` are also read unprefixed, as docker-compose
    and most platforms spell them. Left empty, the embedded broker and database are started.
    """

    model_config = SettingsConfigDict(env_prefix="CITYOPS_", env_file=".env", extra="ignore")

    environment: str = Field("development", pattern="^(development|test|production)$")
    kafka_bootstrap_servers: str = Field(
        "",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "CITYOPS_KAFKA_BOOTSTRAP_SERVERS"),
    )
    database_url: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("DATABASE_URL", "CITYOPS_DATABASE_URL")
    )
    topic_fill: str = "bins.fill.v1"
    topic_gps: str = "vehicles.gps.v1"
    topic_parking: str = "parking.observations.v1"
    topic_dead_letter: str = "ingest.dead-letter.v1"
    topic_partitions: int = Field(3, ge=1)
    topic_replication: int = Field(1, ge=1)  # 3 on a production cluster
    consumer_session_timeout_ms: int = Field(6000, ge=1000)
    ingest_batch_size: int = Field(5000, ge=1)
    max_future_skew_s: float = Field(300.0, ge=0)
    gps_retention_days: int = Field(30, ge=1)
    fleet_aggregate_retention_days: int = Field(400, ge=1)  # pseudonymised hourly aggregates
    # `city-db retention` deletes access-log rows older than this; None: kept (PRIVACY.md)
    access_log_retention_days: int | None = Field(None, ge=1)
    pseudonym_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    jwt_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    # passwords of the least-privilege database logins `city-db logins` creates (core/db/logins.py)
    db_ingest_password: SecretStr = SecretStr("")
    db_api_password: SecretStr = SecretStr("")
    city: str = "copenhagen"  # a built-in profile name (core/cities/) or a profile directory
    # The demo's inventory files (sites.geojson, placement.json); default simulations/cities/<city>/
    demo_dir: Path | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    state_dir: Path = PROJECT_ROOT / "var"
    # the embedded broker's and database's data across runs (durable local mode); None: thrown away
    persist_dir: Path | None = None
    tile_url: str = ""
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=0, le=65535)
    parking_refresh_s: float = Field(30.0, ge=0)  # API reuses parking sites' latest counts
    parking_reload_s: float = Field(10.0, ge=0)  # API checks the model file for a new one; 0: never
    retention_interval_h: float = Field(24.0, ge=0)  # API runs retention this often; 0: never
    # local hour at which the API computes the previous day's fleet aggregates; -1: never
    fleet_aggregate_hour: int = Field(3, ge=-1, le=23)
    # bin alerts (fleet/alerts/): a sensor silent this long, a reading repeated this long, a
    # reported batteryLevel (fraction) below this
    alert_silent_hours: float = Field(6.0, gt=0)
    alert_stuck_hours: float = Field(24.0, gt=0)
    alert_low_battery: float = Field(0.15, ge=0, le=1)
    # plan jobs (queue in PostgreSQL): run by a worker inside the API (inline) or by
    # city-plan-worker processes (external: the API only enqueues)
    plan_worker: str = Field("inline", pattern="^(inline|external)$")
    plan_job_lease_s: float = Field(60.0, ge=1)  # a silent worker's job is taken again after
    plan_job_max_attempts: int = Field(3, ge=1)
    plan_worker_concurrency: int = Field(1, ge=1)  # jobs one worker runs at a time
    log_format: str = Field("text", pattern="^(text|json)$")  # json: one object per line
    metrics_port: int = Field(0, ge=0, le=65535)  # ingest's Prometheus endpoint; 0: off

    # hardening (issue 12): request body limits (bytes; the inventory upload has its own) and
    # the session cookie's Secure flag (unset: on in production, where TLS terminates in front)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    cookie_secure: bool | None = None

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Settings:
        if self.environment != "development":
            for name in ("jwt_secret", "pseudonym_key"):
                problem = secret_problem(getattr(self, name).get_secret_value())
                if problem:
                    raise ValueError(
                        f"CITYOPS_{name.upper()} {problem} (CITYOPS_ENVIRONMENT="
                        f"{self.environment}; only development allows it). Generate one with:"
                        " python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                    )
        return self

    def secure_cookies(self) -> bool:
        """Whether session cookies carry ``Secure``: the setting, else on in production."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    def city_profile(self) -> CityProfile:
        """The configured city's profile (read once per settings object; raises
        :class:`~core.city_files.CityProfileError` saying what is wrong)."""
        cached = self.__dict__.get("_city_profile")
        if cached is None:
            cached = load_profile(self.city, self.data_dir)
            self.__dict__["_city_profile"] = cached
        return cached

    @property
    def edinburgh_bins(self) -> Path:
        return self.data_dir / "bins" / "edinburgh_enevo_collections_2016.csv"
