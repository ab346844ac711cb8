"""All SQL lives in core/db/: no other module of the project holds an SQL statement in a string."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|TRUNCATE|CREATE|DROP|ALTER)\s")
ALLOWED = (ROOT / "core" / "db", ROOT / "tests")
NOT_SOURCE = {"build", "dist", "var", "__pycache__", "node_modules"}  # outputs, copies, state


def _project_files() -> Iterator[Path]:
    """Every source .py file of the checkout outside core/db/ and tests/."""
    for path in sorted(ROOT.rglob("*.py")):
        dirs = path.relative_to(ROOT).parts[:-1]
        if any(d.startswith(".") or d.endswith(".egg-info") or d in NOT_SOURCE for d in dirs):
            continue
        if not any(path.is_relative_to(a) for a in ALLOWED):
            yield path


def sql_strings(path: Path) -> list[str]:
    """``line: text`` of each string constant (f-strings' literal parts included) in ``path``
    that starts with an SQL statement keyword."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{node.lineno}: {node.value.strip()[:60]}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    ]


def test_no_sql_outside_core_db() -> None:
    """No .py file outside core/db/ and tests/ (benchmarks included) holds an SQL statement."""
    found = {str(p.relative_to(ROOT)): s for p in _project_files() if (s := sql_strings(p))}
    assert found == {}


def test_the_scan_finds_sql_in_strings_and_f_strings(tmp_path: Path) -> None:
    """The scan sees plain and f-string SQL and ignores prose, so the check above can fail."""
    p = tmp_path / "m.py"
    p.write_text(
        'A = "SELECT 1 FROM bins"\n'
        "def f(t):\n"
        '    return f"  TRUNCATE {t}", "Select a bin", "DELETE", "WITHOUT a word"\n'
    )
    assert sql_strings(p) == ["1: SELECT 1 FROM bins", "3: TRUNCATE"]
