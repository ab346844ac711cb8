"""`city-admin users`: the first admin on an empty database, passwords only from standard input,
an environment variable or a prompt, disable/enable, assign drivers to vehicles in service,
and an audit entry for every change (never a password)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import verify_password
from core.db.audit import audit_entries
from core.db.inventory import save_sites, save_vehicles
from core.db.users import get_user
from core.domain import Site, Vehicle, VehicleKind
from core.settings import Settings
from core.users import Role
from tests.admin.conftest import city_admin, rows, with_conn

pytestmark = pytest.mark.integration

PW = "a long enough password"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _login(client: TestClient, username: str, password: str) -> int:
    r = client.post("/auth/token", data={"username": username, "password": password})
    return r.status_code


def test_users_round_trip(
    admin_db: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the first admin, on a database that has no user at all
    assert rows(admin_db, "SELECT count(*) FROM users")[0][0] == 0
    _stdin(monkeypatch, PW + "\n")
    assert city_admin("users", "add", "root-admin", "--role", "admin", "--password-stdin") == 0
    admin = with_conn(admin_db, lambda c: get_user(c, "root-admin"))
    assert admin is not None and admin.role is Role.ADMIN
    assert verify_password(PW, admin.password_hash) and PW not in admin.password_hash

    with_conn(admin_db, lambda c: save_sites(c, [Site("D1", "Depot", 12.55, 55.70)], "depot"))
    trucks = [Vehicle(f"T{i}", VehicleKind.WASTE_TRUCK, "D1", 8000) for i in (1, 2)]
    with_conn(admin_db, lambda c: save_vehicles(c, trucks))
    monkeypatch.setenv("DRIVER_PW", "driver password 1")
    assert (
        city_admin("users", "add", "anna", "--role", "driver", "--password-env", "DRIVER_PW") == 0
    )
    assert city_admin("users", "assign", "anna", "T1", "T2") == 0
    assert city_admin("users", "assign", "anna", "T9") == 1
    assert "no vehicle in service with id T9" in capsys.readouterr().err
    anna = with_conn(admin_db, lambda c: get_user(c, "anna"))
    assert anna is not None and anna.vehicle_ids == ("T1", "T2")

    settings = Settings(
        jwt_secret="test-secret-0123456789-0123456789",  # type: ignore[arg-type]
        pseudonym_key="test-pseudonym-0123456789-0123456789",  # type: ignore[arg-type]
        environment="test",
        state_dir=tmp_path,
    )
    with TestClient(create_app(settings, admin_db)) as client:
        assert _login(client, "root-admin", PW) == 200
        assert _login(client, "anna", "driver password 1") == 200
        _stdin(monkeypatch, "a new driver password\n")
        assert city_admin("users", "passwd", "anna", "--password-stdin") == 0
        assert _login(client, "anna", "driver password 1") == 401
        assert _login(client, "anna", "a new driver password") == 200
        assert city_admin("users", "disable", "anna") == 0
        assert _login(client, "anna", "a new driver password") == 401
        assert city_admin("users", "enable", "anna") == 0
        assert _login(client, "anna", "a new driver password") == 200

    actions = [(e.action, e.target) for e in with_conn(admin_db, audit_entries)][::-1]
    assert actions == [
        ("users.add", "root-admin"),
        ("users.add", "anna"),
        ("users.assign", "anna"),
        ("users.passwd", "anna"),
        ("users.disable", "anna"),
        ("users.enable", "anna"),
    ]
    details = " ".join(str(r[0]) for r in rows(admin_db, "SELECT details FROM audit_log"))
    assert "password" not in details and "argon2" not in details
    assert all(a.startswith("cli:") for (a,) in rows(admin_db, "SELECT actor FROM audit_log"))
    assert city_admin("users", "list") == 0
    listed = capsys.readouterr().out
    assert "root-admin" in listed and "T1,T2" in listed and "$argon2" not in listed


def test_passwords_never_come_from_the_command_line(
    admin_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        city_admin("users", "add", "bob", "--role", "planner", "--password", PW)
    assert e.value.code == 2
    _stdin(monkeypatch, "")  # not a terminal, no option: refused, nothing written
    assert city_admin("users", "add", "bob", "--role", "planner") == 1
    assert "--password-stdin" in capsys.readouterr().err
    _stdin(monkeypatch, "short\n")
    assert city_admin("users", "add", "bob", "--role", "planner", "--password-stdin") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    from_env = ("users", "add", "bob", "--role", "planner", "--password-env", "NO_SUCH_VAR")
    assert city_admin(*from_env) == 1
    assert rows(admin_db, "SELECT count(*) FROM users")[0][0] == 0
    assert rows(admin_db, "SELECT count(*) FROM audit_log")[0][0] == 0


def test_refusals(
    admin_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, PW + "\n")
    assert city_admin("users", "add", "pia", "--role", "planner", "--password-stdin") == 0
    _stdin(monkeypatch, PW + "\n")
    assert city_admin("users", "add", "pia", "--role", "dpo", "--password-stdin") == 1
    assert "already exists" in capsys.readouterr().err
    assert city_admin("users", "assign", "pia", "T1") == 1
    assert "only drivers are assigned" in capsys.readouterr().err
    assert city_admin("users", "disable", "nobody") == 1
    _stdin(monkeypatch, PW + "\n")
    assert city_admin("users", "add", "No Spaces", "--role", "dpo", "--password-stdin") == 1
    assert "user name" in capsys.readouterr().err
