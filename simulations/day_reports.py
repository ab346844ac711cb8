"""The drivers send their stop reports to the running API over HTTP (adapter).

Each driver logs in with the OAuth2 password flow (``POST /auth/token``) and posts the stops of
their truck in route order (``POST /driver/routes/{vehicle}/stops/{seq}?plan_id=``) with the
time each was done; drivers report in parallel, a few at a time. Plain ``urllib``: the main job
needs no HTTP client library.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

from simulations.driver_reports import DriverStopReport

TIMEOUT_S = 30.0


@dataclass
class Posted:
    """Reports the API accepted, and the others by HTTP status."""

    accepted: int = 0
    refused: Counter[int] = field(default_factory=Counter)

    def add(self, other: Posted) -> None:
        self.accepted += other.accepted
        self.refused.update(other.refused)


def login(base_url: str, username: str, password: str, attempts: int = 20) -> str:
    """A bearer token for ``username``; log-in is rate-limited per client, so a 429 waits its
    Retry-After and tries again (many drivers log in from this one address)."""
    form = urllib.parse.urlencode({"username": username, "password": password}).encode()
    for attempt in range(attempts):
        req = urllib.request.Request(f"{base_url}/auth/token", data=form, method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
                return str(json.loads(resp.read())["access_token"])
        except urllib.error.HTTPError as e:
            e.read()
            if e.code != 429 or attempt == attempts - 1:
                raise
            time.sleep(min(5.0, float(e.headers.get("Retry-After") or 1)))
    raise AssertionError("unreachable")


def _post_one(base_url: str, token: str, plan_id: int, r: DriverStopReport) -> int:
    url = f"{base_url}/driver/routes/{quote(r.vehicle_id, safe='')}/stops/{r.seq}?plan_id={plan_id}"
    req = urllib.request.Request(url, data=json.dumps(r.body()).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as e:
        e.read()
        return int(e.code)


def _driver(
    base_url: str, plan_id: int, user: tuple[str, str], reports: Sequence[DriverStopReport]
) -> Posted:
    token = login(base_url, *user)
    out = Posted()
    for r in reports:
        code = _post_one(base_url, token, plan_id, r)
        if code == 200:
            out.accepted += 1
        else:
            out.refused[code] += 1
    return out


def post_reports(
    base_url: str,
    plan_id: int,
    reports: Sequence[DriverStopReport],
    drivers: Mapping[str, tuple[str, str]],
    workers: int = 4,
) -> Posted:
    """Send ``reports`` on plan ``plan_id`` as the drivers of their vehicles (``drivers``:
    vehicle id -> (user name, password)); a vehicle without a driver counts as refused (0)."""
    by_vehicle: dict[str, list[DriverStopReport]] = {}
    for r in reports:
        by_vehicle.setdefault(r.vehicle_id, []).append(r)
    total = Posted()
    for v in set(by_vehicle) - set(drivers):
        total.refused[0] += len(by_vehicle.pop(v))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for part in pool.map(
            lambda v: _driver(base_url, plan_id, drivers[v], by_vehicle[v]), sorted(by_vehicle)
        ):
            total.add(part)
    return total
