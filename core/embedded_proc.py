"""What the embedded services share: their errors, free loopback ports, waiting for a process to
listen, and stopping it (an adapter: sockets and processes)."""

from __future__ import annotations

import importlib
import socket
import subprocess
import time


class ServiceStartError(RuntimeError):
    """An embedded service did not come up; the message says where its log is."""


class EmbeddedExtraMissing(ServiceStartError):
    """The embedded broker or database wheel is not installed (a production install)."""


def missing_extra(wheel: str) -> str:
    """The message of :class:`EmbeddedExtraMissing` for ``wheel``."""
    return (
        f"the embedded services need {wheel}, from the project's 'embedded' extra"
        " (pip install 'cityops[embedded]'; ./run.sh and ./test.sh install it);"
        " or set KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL to use external services"
    )


def require(module: str, wheel: str) -> None:
    """Import ``module`` from the ``embedded`` extra or say how to install it or avoid it."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise EmbeddedExtraMissing(missing_extra(wheel)) from e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float, what: str) -> None:
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


def stop_process(proc: subprocess.Popen[bytes], sig: int, timeout_s: float = 15.0) -> None:
    """Send ``sig``, wait up to ``timeout_s``, then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
