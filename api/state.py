"""What the application holds while it runs, set up in the lifespan and read by dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from api.jobs import PlanJobs
from api.parking_service import ParkingService
from api.ratelimit import RateLimit, TokenBuckets
from fleet.alerts.types import AlertParams


@dataclass(frozen=True)
class ApiConfig:
    """Configuration of one application instance; validated at construction."""

    database_url: str
    jwt_secret: str
    tile_url: str = ""
    data_dir: Path | None = None  # OSM extracts for the street background layer
    parking_model_path: Path | None = None
    parking_refresh_s: float = 30.0  # how long the parking sites' latest counts are reused
    parking_reload_s: float = 10.0  # how often the model file is checked for a new model; 0: never
    retention_interval_h: float = 0.0  # hours between retention runs in this process; 0: none
    retention_days: int = 30  # drivers' positions older than this many days are deleted
    aggregate_retention_days: int = 400  # fleet aggregates (pseudonymised) kept this long
    token_ttl: timedelta = timedelta(hours=12)
    citizen_limit: RateLimit = field(default_factory=RateLimit)
    cors_origins: tuple[str, ...] = ()
    pool_size: int = 10
    static_prefix: str = "/static"
    timezone: str = "UTC"  # the city's IANA time zone: local hours in the open-data exports
    map_centre: tuple[float, float] = (0.0, 0.0)  # lon, lat: maps with nothing to show centre here
    osm_files: tuple[Path, ...] = ()  # the city's OSM extracts: street layer, planning network
    alerts: AlertParams = field(default_factory=AlertParams)  # bin alerts' thresholds
    max_body_bytes: int = 1024 * 1024  # request bodies larger than this: 413
    max_upload_bytes: int = 50 * 1024 * 1024  # the inventory import's file upload
    cookie_secure: bool = False  # the session cookie only over HTTPS (on in production)

    def __post_init__(self) -> None:
        if not self.database_url:
            raise ValueError("database_url must be given.")
        if len(self.jwt_secret) < 8:
            raise ValueError("jwt_secret must be at least 8 characters.")
        if self.max_body_bytes < 1 or self.max_upload_bytes < 1:
            raise ValueError("max_body_bytes and max_upload_bytes must be positive.")
        if self.pool_size < 1:
            raise ValueError("pool_size must be positive.")
        if self.parking_refresh_s < 0:
            raise ValueError("parking_refresh_s must be non-negative.")
        if self.parking_reload_s < 0 or self.retention_interval_h < 0:
            raise ValueError("parking_reload_s and retention_interval_h must be non-negative.")
        if self.retention_days < 1 or self.aggregate_retention_days < 1:
            raise ValueError("retention_days and aggregate_retention_days must be at least 1.")
        try:
            ZoneInfo(self.timezone)
        except Exception as e:  # ZoneInfoNotFoundError or ValueError for a malformed key
            raise ValueError(f"unknown time zone {self.timezone!r}.") from e


@dataclass
class ApiState:
    """Runtime objects: the connection pool, the parking service, jobs, rate limiter."""

    config: ApiConfig
    pool: asyncpg.Pool
    parking: ParkingService
    jobs: PlanJobs
    limiter: TokenBuckets
    streets_json: bytes | None = None
