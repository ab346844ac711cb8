#!/usr/bin/env bash
# Lint, format and type checks (test.sh runs them before the tests; any violation fails):
# ruff check and ruff format --check over the whole tree, mypy over the packages and benchmarks
# listed in pyproject.toml's [tool.mypy] files. Fix with `.venv/bin/ruff check --fix .` and
# `.venv/bin/ruff format .`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "lint: ruff check, ruff format --check, mypy" >&2
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy
