"""The application factory: routers per user kind, lifespan with an asyncpg pool, static assets,
CORS and security headers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import docs, errors, fleet_daily, retention_schedule
from api.body_limit import BodySizeLimit
from api.jobs import PlanJobs
from api.metrics_middleware import RequestMetrics
from api.middleware import SecurityHeaders
from api.parking_service import ParkingService
from api.ratelimit import RateLimit, TokenBuckets
from api.routers import (
    adherence,
    admin,
    alerts,
    auth,
    citizen,
    citizen_places,
    driver,
    fleet,
    health,
    maps,
    open_data,
    pages,
    planner,
    planner_page,
    privacy,
)
from api.state import ApiConfig, ApiState
from core.settings import PLACEHOLDER_SECRET, Settings
from fleet.alerts.types import AlertParams
from maps.assets import asset_dirs

log = logging.getLogger(__name__)

DESCRIPTION = """
Smart-city operations API: waste collection plans for **planners**, route lists and stop
reports for **drivers**, and parking likelihood for **citizens** (no login, rate-limited).

Authenticate with `POST /auth/token` (OAuth2 password flow) and send
`Authorization: Bearer <token>`. GeoJSON coordinates are `[lon, lat]`.
Map data © OpenStreetMap contributors.
"""


_DEV_SECRET = secrets.token_urlsafe(32)


def config_from_settings(settings: Settings, database_url: str, **overrides: object) -> ApiConfig:
    """An :class:`ApiConfig` from the platform settings; refuses the placeholder JWT secret
    outside development."""
    secret = settings.jwt_secret.get_secret_value()
    if secret == PLACEHOLDER_SECRET:
        if settings.environment != "development":
            raise ValueError("CITYOPS_JWT_SECRET must be set outside development.")
        secret = _DEV_SECRET  # a fresh random key per process: dev tokens die with the server
    values: dict[str, object] = {
        "database_url": database_url,
        "jwt_secret": secret,
        "tile_url": settings.tile_url,
        "data_dir": settings.data_dir,
        "parking_model_path": settings.state_dir / "parking_model.npz",
        "parking_refresh_s": settings.parking_refresh_s,
        "parking_reload_s": settings.parking_reload_s,
        "retention_interval_h": settings.retention_interval_h,
        "retention_days": settings.gps_retention_days,
        "aggregate_retention_days": settings.fleet_aggregate_retention_days,
        "timezone": settings.city_profile().timezone,
        "map_centre": settings.city_profile().map_centre,
        "osm_files": settings.city_profile().osm_files,
        "alerts": AlertParams(
            silent_after_h=settings.alert_silent_hours,
            stuck_after_h=settings.alert_stuck_hours,
            low_battery=settings.alert_low_battery,
        ),
        "max_body_bytes": settings.max_body_bytes,
        "max_upload_bytes": settings.max_upload_bytes,
        "cookie_secure": settings.secure_cookies(),
    }
    values.update(overrides)
    return ApiConfig(**values)  # type: ignore[arg-type]


def create_app(
    settings: Settings,
    database_url: str,
    *,
    parking_model_path: Path | None = None,
    citizen_limit: RateLimit | None = None,
    token_ttl: timedelta | None = None,
    cors_origins: tuple[str, ...] = (),
    pool_size: int = 10,
    state_dir: Path | None = None,
) -> FastAPI:
    """The API for the database at ``database_url``; nothing connects until start-up."""
    overrides: dict[str, object] = {"cors_origins": cors_origins, "pool_size": pool_size}
    if parking_model_path is not None:
        overrides["parking_model_path"] = parking_model_path
    if citizen_limit is not None:
        overrides["citizen_limit"] = citizen_limit
    if token_ttl is not None:
        overrides["token_ttl"] = token_ttl
    config = config_from_settings(settings, database_url, **overrides)
    work_dir = state_dir or settings.state_dir
    daily = fleet_daily.DailyAggregation.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(config.database_url, min_size=1, max_size=config.pool_size)
        assert pool is not None
        jobs = PlanJobs.from_settings(  # plan jobs: a queue in PostgreSQL, a worker
            settings, pool, config.database_url, config.osm_files, work_dir / "matrix-cache"
        )
        app.state.api = ApiState(
            config,
            pool,
            ParkingService.from_file(config.parking_model_path, config.parking_refresh_s),
            jobs,
            TokenBuckets(config.citizen_limit),
        )
        app.state.work_dir = work_dir
        app.state.fleet = daily
        fleet_task = fleet_daily.start(pool, daily)  # the previous day's fleet aggregates
        app.state.api.parking.start_watching(config.parking_reload_s)  # a new model file: reload
        retention = retention_schedule.start(
            pool,
            config.retention_days,
            config.retention_interval_h,
            config.aggregate_retention_days,
        )
        jobs.start()  # the in-process plan worker (CITYOPS_PLAN_WORKER=inline), if any
        try:
            yield
        finally:
            await fleet_daily.stop(fleet_task)
            await retention_schedule.stop(retention)
            await app.state.api.parking.stop_watching()
            await jobs.stop()  # a job still running goes back to the queue
            await pool.close()

    app = FastAPI(
        title="cityops API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "auth", "description": "log in, who am I"},
            {"name": "citizen", "description": "parking likelihood (no login)"},
            {"name": "driver", "description": "today's route, stop reports"},
            {"name": "planner", "description": "plans, overrides, live operations"},
            {"name": "open data", "description": "non-personal aggregated exports"},
            {"name": "privacy", "description": "access log (data-protection officer), own data"},
            {"name": "maps", "description": "map background"},
            {"name": "admin", "description": "inventory import (admins and planners)"},
            {"name": "pages", "description": "HTML pages"},
        ],
    )
    app.state.city_profile = settings.city_profile()  # the inventory import validates against it
    errors.install(app)
    docs.install(app, config.static_prefix)
    for name, directory in asset_dirs().items():
        app.mount(
            f"{config.static_prefix}/{name}",
            StaticFiles(directory=directory),
            name=f"static-{name}",
        )
    for r in (
        health.router,
        auth.router,
        citizen.router,
        citizen_places.router,
        driver.router,
        planner.router,
        planner_page.router,
        planner_page.posts,
        adherence.router,
        fleet.router,
        privacy.router,
        alerts.router,
        open_data.router,
        maps.router,
        pages.router,
        admin.router,
    ):
        app.include_router(r)
    app.add_middleware(SecurityHeaders, tile_url=config.tile_url)
    app.add_middleware(  # request bodies: 413 over the limit (the inventory upload has its own)
        BodySizeLimit,
        default=config.max_body_bytes,
        per_path={admin.UPLOAD_PATH: config.max_upload_bytes},
    )
    app.add_middleware(RequestMetrics)  # latency by route template, 413s and 500s included
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app
