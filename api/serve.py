"""Serving the API for the simulated day: demo users, printed URLs, uvicorn.

Demo users exist only in the demo: :func:`create_demo_users` refuses when
``CITYOPS_ENVIRONMENT`` is ``production`` and on a database that has an admin (a real city's,
whose users are managed with ``city-admin users``).

from api.serve import serve, create_demo_users, demo_urls
users = asyncio.run(create_demo_users(settings, dsn))
print(demo_urls("http://127.0.0.1:8000", users))
serve(settings, dsn, "127.0.0.1", 8000)
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import uvicorn

from api.app import config_from_settings, create_app
from api.security import hash_password_async, issue_token
from core.db.inventory import load_vehicles
from core.db.migrate import migrate
from core.db.plans import PlanNotFound, current_plan_id, route_vehicle_ids
from core.db.users import list_users, upsert_user
from core.domain import VehicleKind
from core.settings import Settings
from core.users import Role, User


class DemoUsersRefused(RuntimeError):
    """Demo users were asked for outside the demo."""


@dataclass(frozen=True)
class DemoUser:
    """Credentials to print for the demo: a password for the log-in page and a bearer token."""

    username: str
    password: str
    role: Role
    vehicle_ids: tuple[str, ...]
    token: str


async def _trucks(conn: asyncpg.Connection) -> list[str]:
    """Waste trucks, those with a route in the newest accepted plan first (the database is
    migrated)."""
    try:
        planned = await route_vehicle_ids(conn, await current_plan_id(conn))
    except PlanNotFound:
        planned = []
    rest = [v.vehicle_id for v in await load_vehicles(conn) if v.kind is VehicleKind.WASTE_TRUCK]
    return planned + [v for v in rest if v not in planned]


async def create_demo_users(
    settings: Settings,
    database_url: str,
    n_drivers: int = 3,
    password: str | None = None,
    token_ttl: timedelta = timedelta(hours=12),
) -> list[DemoUser]:
    """Create (or reset) ``planner`` and ``driver1..n``, each driver assigned one waste truck;
    returns their credentials. Passwords are random unless ``password`` is given.
    :class:`DemoUsersRefused` in production and on a database with an admin: demo users, with
    passwords printed on the console, belong in the demo only."""
    if settings.environment == "production":
        raise DemoUsersRefused(
            "demo users are for the demo only, not with CITYOPS_ENVIRONMENT=production:"
            " add users with `city-admin users add`"
        )
    secret = config_from_settings(settings, database_url).jwt_secret
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn)
        if await list_users(conn, Role.ADMIN):
            raise DemoUsersRefused(
                "this database has admins (a city onboarded with city-admin): no demo users;"
                " manage users with `city-admin users`"
            )
        trucks = await _trucks(conn)
        wanted: list[tuple[str, Role, tuple[str, ...]]] = [("planner", Role.PLANNER, ())]
        wanted += [(f"driver{i + 1}", Role.DRIVER, (t,)) for i, t in enumerate(trucks[:n_drivers])]
        out = []
        for name, role, vids in wanted:
            pw = password or secrets.token_urlsafe(9)
            user = User(name, await hash_password_async(pw), role, vids)
            await upsert_user(conn, user)
            out.append(DemoUser(name, pw, role, vids, issue_token(secret, user, token_ttl)))
        return out
    finally:
        await conn.close()


def demo_urls(base_url: str, users: list[DemoUser]) -> dict[str, str]:
    """The pages to open: planner view, first driver's route page, citizen parking page, docs."""
    urls = {
        "login": f"{base_url}/login",
        "planner view": f"{base_url}/planner/live",
        "citizen parking (en)": f"{base_url}/citizen/parking/map?lon=12.5605&lat=55.6905",
        "citizen parking (da)": f"{base_url}/citizen/parking/map?lon=12.5605&lat=55.6905&lang=da",
        "API docs": f"{base_url}/docs",
    }
    driver = next((u for u in users if u.role == Role.DRIVER and u.vehicle_ids), None)
    if driver is not None:
        urls["driver route page"] = f"{base_url}/driver/routes/{driver.vehicle_ids[0]}/page"
    return urls


def serve(
    settings: Settings,
    database_url: str,
    host: str | None = None,
    port: int | None = None,
    log_level: str = "info",
) -> None:
    """Run the API with uvicorn until interrupted (blocks)."""
    app = create_app(settings, database_url)
    # No access log: citizens' parking queries carry coordinates in the URL (privacy by design).
    # JSON logs (CITYOPS_LOG_FORMAT=json): uvicorn's own loggers go to the root's JSON handler.
    json_logs = settings.log_format == "json"
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level=log_level,
        log_config=None if json_logs else uvicorn.config.LOGGING_CONFIG,
        proxy_headers=False,
        access_log=False,
    )


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    """``city-api`` (``python -m api``): serve the configured database; demo users on request."""
    import argparse

    from core.cli import HelpFormatter, env_epilog
    from core.logs import configure_logging

    ap = argparse.ArgumentParser(
        prog="city-api",
        description="Serve the cityops API (planners, drivers, citizens) and its maps.",
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_ENVIRONMENT",
            "CITYOPS_JWT_SECRET",
            "CITYOPS_PSEUDONYM_KEY",
            "CITYOPS_API_HOST",
            "CITYOPS_API_PORT",
            "CITYOPS_TILE_URL",
            "CITYOPS_MAX_BODY_BYTES",
            "CITYOPS_MAX_UPLOAD_BYTES",
            "CITYOPS_COOKIE_SECURE",
            "CITYOPS_PARKING_REFRESH_S",
            "CITYOPS_PARKING_RELOAD_S",
            "CITYOPS_RETENTION_INTERVAL_H",
            "CITYOPS_GPS_RETENTION_DAYS",
            "CITYOPS_FLEET_AGGREGATE_RETENTION_DAYS",
            "CITYOPS_ALERT_SILENT_HOURS",
            "CITYOPS_ALERT_STUCK_HOURS",
            "CITYOPS_ALERT_LOW_BATTERY",
            "CITYOPS_CITY",
            "CITYOPS_DATA_DIR",
            "CITYOPS_STATE_DIR",
            "CITYOPS_LOG_FORMAT",
            note="DATABASE_URL (or --database-url) is required; in production also"
            " CITYOPS_JWT_SECRET and CITYOPS_PSEUDONYM_KEY.",
        ),
    )
    ap.add_argument("--database-url", default="", help="PostgreSQL DSN (default: DATABASE_URL)")
    ap.add_argument("--host", default=None, help="listen address (default: CITYOPS_API_HOST)")
    ap.add_argument("--port", type=int, default=None, help="port (default: CITYOPS_API_PORT)")
    ap.add_argument(
        "--demo-users",
        action="store_true",
        help="demo only: create or reset a planner and three drivers and print their passwords"
        " and URLs (refused in production and on a database with an admin)",
    )
    a = ap.parse_args(argv)
    settings = Settings()
    configure_logging("INFO", settings.log_format)
    dsn = a.database_url or settings.database_url.get_secret_value()
    if not dsn:
        raise SystemExit("give --database-url or set DATABASE_URL")
    if a.demo_users:
        try:
            users = asyncio.run(create_demo_users(settings, dsn))
        except DemoUsersRefused as e:
            raise SystemExit(f"city-api: {e}") from e
        base = f"http://{a.host or settings.api_host}:{a.port or settings.api_port}"
        for u in users:
            print(
                f"{u.role.value:8} {u.username:10} password {u.password}  vehicles "
                f"{','.join(u.vehicle_ids) or '-'}"
            )
        for name, url in demo_urls(base, users).items():
            print(f"{name:22} {url}")
    serve(settings, dsn, a.host, a.port)


if __name__ == "__main__":
    main()
