#!/usr/bin/env bash
# Runs the test suite with the machine's clock moved to another day (default 2031-02-28 09:00 UTC)
# in this Python process and every Python process it starts (time-machine, loaded by
# tests/clock_ahead/sitecustomize.py): nothing in the product may read the wall clock except the
# one clock the tests pin.
#   scripts/test-clock-ahead.sh [YYYY-MM-DD] [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-2031-02-28}"
shift || true
scripts/bootstrap.sh
export LTSC_TEST_CLOCK_AHEAD_SECONDS=$(( $(date -u -d "$target 09:00:00" +%s) - $(date -u +%s) ))
export PYTHONPATH="$PWD/tests/clock_ahead${PYTHONPATH:+:$PYTHONPATH}"
export ADAPTER_TEST_POSTGRES_URL="${ADAPTER_TEST_POSTGRES_URL:-postgresql+psycopg://127.0.0.1:5432/test}"
echo "Running the suite with the clock at $(.venv/bin/python -c 'import datetime; print(datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))')"
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist worksteal "$@"
