"""The house rules the layout promises, checked on the source: module size, no import cycle, and
pure modules never importing an adapter (ARCHITECTURE.md, "Who owns what")."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "ingest", "routing", "forecasting", "fleet", "parking", "api", "maps")
PACKAGES += ("simulations", "admin")
MAX_LINES = 400

# Libraries that only adapters may import: I/O with the broker, the database, HTTP, processes.
ADAPTER_LIBRARIES = {
    "asyncpg",
    "kafka",
    "fastapi",
    "starlette",
    "uvicorn",
    "subprocess",
    "multiprocessing",
    "psutil",
    "httpx",
}
# Modules that are adapters although they import none of those libraries: they read or write
# files, or orchestrate adapters. Everything else in the packages is pure domain logic.
FILE_ADAPTERS = {
    "core.city_files",
    "core.inventory_files",
    "admin.files",
    "core.settings",
    "core.metrics",  # serves /metrics over HTTP (ingest processes)
    "forecasting.edinburgh",
    "routing.network.osm",
    "routing.network.matrix_cache",
    "routing.planning.job_run",  # runs a plan job: the planning services (PostgreSQL, OSM files)
    "routing.vrp.vrplib",
    "parking.csv_io",
    "parking.persistence",
    "parking.report",
    "parking.birmingham",
    "parking.dataset",
    "simulations.publish",
    "simulations.demo_files",
    "simulations.day_publish",  # the main job's stages: Kafka, HTTP, orchestration
    "simulations.day_reports",
    "simulations.day_drive",
    "simulations.day_loop",
}
ADAPTER_PACKAGES = ("core.db", "api", "ingest")


def _modules() -> Iterator[tuple[str, Path]]:
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


MODULES = dict(_modules())


def _module_level_imports(path: Path, name: str) -> set[str]:
    """Absolute names imported at module level (not inside functions: those are lazy by intent)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in tree.body:
        nodes = [node]
        if isinstance(node, ast.If | ast.Try):  # `if TYPE_CHECKING:` blocks do not run
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            nodes = list(ast.walk(node))
        for n in nodes:
            if isinstance(n, ast.Import):
                found.update(a.name for a in n.names)
            elif isinstance(n, ast.ImportFrom):
                base = n.module or ""
                if n.level:
                    up = package.split(".")[: len(package.split(".")) - (n.level - 1)]
                    base = ".".join([*up, base] if base else up)
                found.add(base)
                found.update(f"{base}.{a.name}" for a in n.names)
    return found


def _project_deps(name: str) -> set[str]:
    return {m for m in _module_level_imports(MODULES[name], name) if m in MODULES and m != name}


def _is_entry_point(path: Path) -> bool:
    """A command: it defines ``main()`` (reads argv and the settings, wires adapters together)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)


def _is_adapter(name: str) -> bool:
    if name in FILE_ADAPTERS or name.startswith(ADAPTER_PACKAGES):
        return True
    if _is_entry_point(MODULES[name]):
        return True
    libs = {m.split(".")[0] for m in _module_level_imports(MODULES[name], name)}
    return bool(libs & ADAPTER_LIBRARIES)


def test_modules_are_small() -> None:
    """No module of the packages exceeds 400 lines (one concept per module)."""
    big = {n: len(p.read_text().splitlines()) for n, p in MODULES.items()}
    assert {n: k for n, k in big.items() if k > MAX_LINES} == {}


def test_no_import_cycle() -> None:
    """The module-level import graph of the packages is acyclic."""
    graph = {n: _project_deps(n) for n in MODULES}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(n: str, stack: list[str]) -> None:
        state[n] = 1
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycles.append([*stack[stack.index(m) :], m])
            elif m not in state:
                visit(m, [*stack, m])
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])
    assert cycles == []


def test_pure_modules_import_no_adapter() -> None:
    """A pure module imports no adapter module and no I/O library, directly."""
    bad = {}
    for name in MODULES:
        if _is_adapter(name):
            continue
        adapters = sorted(m for m in _project_deps(name) if _is_adapter(m))
        if adapters:
            bad[name] = adapters
    assert bad == {}


@pytest.mark.parametrize("name", ["forecasting.forecast", "routing.vrp.model", "parking.model"])
def test_the_domain_cores_are_pure(name: str) -> None:
    """The forecasting, routing-model and parking-model modules are classified pure."""
    assert not _is_adapter(name)


def test_an_adapter_import_is_caught(tmp_path: Path) -> None:
    """The import scan sees a module-level asyncpg import (so the checks above can fail)."""
    p = tmp_path / "m.py"
    p.write_text("import asyncpg\nfrom core.db import plans\n\ndef f():\n    import kafka\n")
    assert _module_level_imports(p, "x.m") == {"asyncpg", "core.db", "core.db.plans"}
