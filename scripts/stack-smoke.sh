#!/usr/bin/env bash
# The stack of docker/compose.yaml (migrations, API, worker, MLLP listener) as plain processes
# against the PostgreSQL server at 127.0.0.1:5432 (ADAPTER_TEST_POSTGRES_URL for another), in a
# database of its own that is dropped afterwards, with production settings. Under two minutes;
# it leaves nothing running. See scripts/stack_smoke.py for the steps.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python scripts/stack_smoke.py
