"""Onboarding a city and administering its users on DATABASE_URL (``city-admin``, also
``python -m admin``).

  import FILE --kind KIND   import inventory from a CSV (lon/lat columns), GeoJSON or GeoPackage
                            file: the whole file is validated first (every bad row is reported
                            with its line or feature index, and nothing is written); a valid
                            file is written in one transaction, updating items by id
  users add|disable|enable|passwd|assign|list
                            API users (roles planner, driver, dpo, admin); passwords come from
                            standard input (--password-stdin), an environment variable
                            (--password-env NAME) or an interactive prompt, never from the
                            command line

Run `city-db migrate` first; on an empty database the first admin is simply
`city-admin users add NAME --role admin`. Every change is written to the audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from admin.importer import import_file
from admin.records import OPTIONAL, REQUIRED, InventoryKind
from admin.users import AdminError, add_user, assign_vehicles, set_enabled, set_password
from core.cli import HelpFormatter, env_epilog
from core.db.users import list_users
from core.settings import Settings
from core.users import Role

ENV = ("DATABASE_URL", "CITYOPS_CITY", "CITYOPS_DATA_DIR", "CITYOPS_ENVIRONMENT")


def actor() -> str:
    """``cli:<os user>``: who ran the command, for the audit log."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's numeric user)
        name = f"uid{os.getuid()}"
    return f"cli:{name}"


def _columns() -> str:
    return "\n".join(
        f"  {k.value:15} {', '.join(REQUIRED[k])}  [optional: {', '.join(OPTIONAL[k])}]"
        for k in InventoryKind
    )


def _password_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    g.add_argument(
        "--password-env", metavar="NAME", help="read the password from environment variable NAME"
    )


def parser() -> argparse.ArgumentParser:
    """``city-admin`` and its subcommands."""
    epilog = env_epilog(*ENV)
    p = argparse.ArgumentParser(
        prog="city-admin", description=__doc__, formatter_class=HelpFormatter, epilog=epilog
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    imp = sub.add_parser(
        "import",
        help="import inventory from a file (validated whole first)",
        description="Import one kind of inventory. Columns per kind (a GeoJSON/GeoPackage Point"
        " geometry gives lon/lat; empty districts are taken from the city's polygons; a vehicle"
        " without co2_g_per_km gets the city profile's default for its kind; a bin without"
        " sensor_id has a sensor of its own id):\n" + _columns(),
        formatter_class=HelpFormatter,
        epilog=epilog,
    )
    imp.add_argument("file", type=Path, help="CSV, GeoJSON, GeoPackage (any format GDAL reads)")
    imp.add_argument("--kind", required=True, choices=[k.value for k in InventoryKind])
    imp.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    imp.add_argument(
        "--retire-missing",
        action="store_true",
        help="retire stored items of this kind that the file does not list",
    )
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    users = sub.add_parser(
        "users", help="API users", formatter_class=HelpFormatter, epilog=epilog
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    add = users.add_parser("add", help="add a user", formatter_class=HelpFormatter, epilog=epilog)
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--vehicles", nargs="*", default=[], help="a driver's vehicle ids")
    _password_options(add)
    pw = users.add_parser("passwd", help="set a user's password", epilog=epilog)
    pw.add_argument("username")
    _password_options(pw)
    for name, what in (("disable", "refuse a user's log-in and tokens"), ("enable", "undo it")):
        users.add_parser(name, help=what, epilog=epilog).add_argument("username")
    assign = users.add_parser(
        "assign", help="assign a driver to vehicles (replaces the assignment)", epilog=epilog
    )
    assign.add_argument("username")
    assign.add_argument("vehicles", nargs="+", help="vehicle ids in service")
    users.add_parser("list", help="list users (no passwords)", epilog=epilog)
    return p


def read_password(args: argparse.Namespace, stdin: Any = None) -> str:
    """The password from standard input, an environment variable or a prompt (typed twice)."""
    stdin = stdin or sys.stdin
    if args.password_stdin:
        return str(stdin.readline()).rstrip("\r\n")
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise AdminError(f"environment variable {args.password_env} is not set")
        return value
    if not stdin.isatty():
        raise AdminError(
            "no terminal to ask for the password: give --password-stdin or --password-env NAME"
        )
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise AdminError("the two passwords differ")
    return first


async def _connected(dsn: str, work: Callable[[asyncpg.Connection], Awaitable[int]]) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await work(conn)
    except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError) as e:
        print(f"the database is not migrated ({e}): run `city-db migrate` first", file=sys.stderr)
        return 1
    finally:
        await conn.close()


async def _import(conn: asyncpg.Connection, args: argparse.Namespace, settings: Settings) -> int:
    report = await import_file(
        conn,
        args.file,
        InventoryKind(args.kind),
        settings.city_profile(),
        actor(),
        dry_run=args.dry_run,
        retire_missing=args.retire_missing,
    )
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


async def _users(conn: asyncpg.Connection, args: argparse.Namespace, password: str) -> int:
    who, name = actor(), getattr(args, "username", "")
    if args.action == "add":
        user = await add_user(conn, name, Role(args.role), password, who, args.vehicles)
        print(f"added {user.role.value} {user.username}")
    elif args.action == "passwd":
        await set_password(conn, name, password, who)
        print(f"password of {name} changed")
    elif args.action in ("disable", "enable"):
        await set_enabled(conn, name, args.action == "enable", who)
        print(f"{name} {args.action}d")
    elif args.action == "assign":
        vehicles = await assign_vehicles(conn, name, args.vehicles, who)
        print(f"{name} drives {', '.join(vehicles)}")
    else:
        for u in await list_users(conn):
            state = "disabled" if u.disabled else "active"
            print(f"{u.username:24} {u.role.value:8} {state:8} {','.join(u.vehicle_ids) or '-'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit status (1: refused, nothing written; 2: usage)."""
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help(sys.stderr)
        return 2
    try:
        asks = args.command == "users" and args.action in ("add", "passwd")
        password = read_password(args) if asks else ""
        settings = Settings()
        dsn = settings.database_url.get_secret_value()
        if not dsn:
            print("DATABASE_URL must be set", file=sys.stderr)
            return 2
        if args.command == "import":
            return asyncio.run(_connected(dsn, lambda c: _import(c, args, settings)))
        return asyncio.run(_connected(dsn, lambda c: _users(c, args, password)))
    except AdminError as e:
        print(f"city-admin: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
