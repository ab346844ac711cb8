#!/usr/bin/env bash
# The main job: a simulated Copenhagen day end to end (see README.md). Arguments go to city-day;
# `--persist DIR` keeps the broker's and database's data in DIR and a later run continues it.
set -euo pipefail
args=()
while [ $# -gt 0 ]; do  # a relative --persist DIR is relative to the caller's directory
    case "$1" in
        --persist) args+=("$1" "$(realpath -m -- "${2:?--persist needs a directory}")"); shift 2 ;;
        --persist=*) args+=("--persist" "$(realpath -m -- "${1#--persist=}")"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done
cd "$(dirname "$0")"
scripts/bootstrap.sh
exec .venv/bin/city-day "${args[@]}"
