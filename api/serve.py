"""Serving the API for the simulated day: demo users, printed URLs, uvicorn.

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
from api.security import hash_password, issue_token
from core.db.migrate import migrate
from core.db.users import Role, User, upsert_user
from core.domain import VehicleKind
from core.settings import Settings


@dataclass(frozen=True)
class DemoUser:
    """Credentials to print for the demo: a password for the log-in page and a bearer token."""

    username: str
    password: str
    role: Role
    vehicle_ids: tuple[str, ...]
    token: str


async def _trucks(conn: asyncpg.Connection) -> list[str]:
    """Waste trucks, those with a route in the newest accepted plan first."""
    planned = []
    if await conn.fetchval("SELECT to_regclass('plans') IS NOT NULL"):
        planned = [
            r[0]
            for r in await conn.fetch(
                "SELECT vehicle_id FROM plan_routes WHERE plan_id = (SELECT plan_id FROM plans"
                " WHERE status = 'accepted' ORDER BY plan_date DESC, created_at DESC LIMIT 1)"
                " ORDER BY vehicle_id"
            )
        ]
    rest = [
        r[0]
        for r in await conn.fetch(
            "SELECT vehicle_id FROM vehicles WHERE kind = $1 ORDER BY vehicle_id",
            VehicleKind.WASTE_TRUCK.value,
        )
    ]
    return planned + [v for v in rest if v not in planned]


async def create_demo_users(
    settings: Settings,
    database_url: str,
    n_drivers: int = 3,
    password: str | None = None,
    token_ttl: timedelta = timedelta(hours=12),
) -> list[DemoUser]:
    """Create (or reset) ``planner`` and ``driver1..n``, each driver assigned one waste truck;
    returns their credentials. Passwords are random unless ``password`` is given."""
    secret = config_from_settings(settings, database_url).jwt_secret
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn)
        trucks = await _trucks(conn)
        wanted: list[tuple[str, Role, tuple[str, ...]]] = [("planner", Role.PLANNER, ())]
        wanted += [(f"driver{i + 1}", Role.DRIVER, (t,)) for i, t in enumerate(trucks[:n_drivers])]
        out = []
        for name, role, vids in wanted:
            pw = password or secrets.token_urlsafe(9)
            user = User(name, hash_password(pw), role, vids)
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
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level=log_level,
        proxy_headers=False,
        access_log=False,
    )


def main() -> None:  # pragma: no cover - thin CLI
    """``python -m api.serve``: serve the configured database, printing demo credentials."""
    import argparse

    ap = argparse.ArgumentParser(description="Serve the cityops API.")
    ap.add_argument("--database-url", default="")
    ap.add_argument("--host", default=None)
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument("--demo-users", action="store_true")
    a = ap.parse_args()
    settings = Settings()
    dsn = a.database_url or settings.database_url.get_secret_value()
    if not dsn:
        raise SystemExit("give --database-url or set DATABASE_URL")
    if a.demo_users:
        users = asyncio.run(create_demo_users(settings, dsn))
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
