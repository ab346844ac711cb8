#!/usr/bin/env bash
# The main job: a simulated Copenhagen day end to end (see README.md). Arguments go to city-day.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
exec .venv/bin/city-day "$@"
