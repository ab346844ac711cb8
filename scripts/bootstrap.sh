#!/usr/bin/env bash
# Create or refresh the project's virtual environment in .venv/ (idempotent, quick when current).
# Installs exactly the tested versions from locks/dev.txt (hash-checked), then the project itself
# without dependencies; reinstalls when the lock or pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PIP_VERSION=26.3  # the installer itself, pinned like everything else
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "locks/dev.txt is for Python 3.11 but .venv has $(.venv/bin/python -V 2>&1);" \
    "remove .venv and run again with PYTHON=python3.11" >&2
  exit 1
fi
stamp=".venv/.installed-$(cat locks/dev.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "installing the locked dependencies into .venv (first run, or locks/dev.txt or" \
    "pyproject.toml changed)..." >&2
  log=.venv/pip-install.log
  pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
  if ! { "${pip[@]}" "pip==$PIP_VERSION" &&
         "${pip[@]}" --require-hashes --only-binary :all: -r locks/dev.txt &&
         "${pip[@]}" --no-deps -e .; } >"$log" 2>&1
  then
    grep -v "is ignored: it is neither" "$log" >&2 || true
    echo "pip install failed (full log: $log)" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
