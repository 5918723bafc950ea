#!/usr/bin/env bash
# The standing chaos run on SQLite and PostgreSQL: CHAOS_SECONDS of traffic each (default 40),
# with server and delivery workers killed and partner faults injected; prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHAOS_SECONDS="${CHAOS_SECONDS:-40}"
exec .venv/bin/python -m pytest tests/integrity/test_chaos.py -q -s -p no:cacheprovider "$@"
