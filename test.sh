#!/usr/bin/env bash
# The whole test suite: lint, format and type checks, then unit tests plus integration tests on
# the real embedded broker and database.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
scripts/lint.sh
scripts/ensure_chromium.sh
exec .venv/bin/python -m pytest "$@"
