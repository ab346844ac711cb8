"""The one settings object. Only entry points read it; library functions take arguments."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.city import CityProfile
from core.city_files import load_profile

PLACEHOLDER_SECRET = "change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DATA_CANDIDATES = (PROJECT_ROOT.parent / "shared" / "data", Path("/work/shared/data"))
# ../shared/data beside the checkout; a clone elsewhere on the same machine finds /work/shared.
DEFAULT_DATA_DIR = next((p for p in _DATA_CANDIDATES if p.is_dir()), _DATA_CANDIDATES[0])


class Settings(BaseSettings):
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
    pseudonym_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    jwt_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    city: str = "copenhagen"  # a built-in profile name (core/cities/) or a profile directory
    # The demo's inventory files (sites.geojson, placement.json); default simulations/cities/<city>/
    demo_dir: Path | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    state_dir: Path = PROJECT_ROOT / "var"
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

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            for name in ("pseudonym_key", "jwt_secret"):
                if getattr(self, name).get_secret_value() == PLACEHOLDER_SECRET:
                    raise ValueError(f"CITYOPS_{name.upper()} must be set outside development.")
        return self

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
