"""The API of the simulated days: served from a background thread while the days run (drivers
report through it), then for ``--serve-seconds`` or until Ctrl-C (adapter: uvicorn)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn
from rich.table import Table

from api.app import create_app
from api.serve import DemoUser, create_demo_users, demo_urls
from core.embedded import free_port
from core.settings import Settings
from core.users import Role
from simulations.day_scenario import console


class ApiThread:
    """uvicorn on ``host:port`` (a free port if taken or 0) in a daemon thread."""

    def __init__(self, settings: Settings, database_url: str, port: int | None = None) -> None:
        host = settings.api_host
        port = port if port is not None else settings.api_port
        if port == 0 or not _port_free(host, port):
            port = free_port()
        self.settings, self.database_url = settings, database_url
        self.base_url = f"http://{host}:{port}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                # Simulated days may lie in the past (--date): no wall-clock retention under them.
                create_app(settings.model_copy(update={"retention_interval_h": 0}), database_url),
                host=host,
                port=port,
                log_level="warning",
                access_log=False,  # citizens' queries carry coordinates: never logged
            )
        )
        self._thread = threading.Thread(target=self._server.run, name="api", daemon=True)

    def __enter__(self) -> ApiThread:
        self._thread.start()
        deadline = time.monotonic() + 60.0
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start on {self.base_url}")
            time.sleep(0.05)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30.0)

    def drivers(self, n_drivers: int) -> list[DemoUser]:
        """Create (or reset) the planner and ``driver1..n``, the current plan's trucks first."""
        return asyncio.run(
            create_demo_users(self.settings, self.database_url, n_drivers=max(1, n_drivers))
        )

    def serve(self, seconds: float | None) -> None:
        """Keep serving ``seconds`` (None: until Ctrl-C)."""
        if seconds is not None:
            console.log(f"serving on {self.base_url} for {seconds:g} s")
            time.sleep(seconds)
            return
        console.log(f"serving on {self.base_url}; press Ctrl-C to stop")
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            console.log("stopping")


def credentials(users: list[DemoUser]) -> dict[str, tuple[str, str]]:
    """Vehicle id -> (user name, password) of the demo drivers."""
    return {
        v: (u.username, u.password) for u in users if u.role is Role.DRIVER for v in u.vehicle_ids
    }


def print_demo_users(base_url: str, users: list[DemoUser]) -> None:
    """The demo users' credentials and the pages to open."""
    t = Table(title="Demo users (passwords are new on every run)")
    for col in ("user", "role", "password", "vehicles"):
        t.add_column(col)
    for u in users:
        t.add_row(u.username, u.role.value, u.password, ", ".join(u.vehicle_ids) or "-")
    console.print(t)
    for name, url in demo_urls(base_url, users).items():
        console.print(f"  {name:22} {url}")


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True
