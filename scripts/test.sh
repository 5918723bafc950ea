#!/usr/bin/env bash
# Runs lint and the whole test suite (SQLite and PostgreSQL) in the project's own virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# Pages are checked in a real headless browser (Debian's chromium and chromedriver), and the
# web app with axe-core from the npm registry (package-lock.json).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -d node_modules/axe-core ]; then
  npm ci --silent --no-audit --no-fund
fi
export ADAPTER_TEST_POSTGRES_URL="${ADAPTER_TEST_POSTGRES_URL:-postgresql+psycopg://127.0.0.1:5432/test}"
.venv/bin/ruff check adapter tests bench scripts
.venv/bin/ruff format --check adapter tests bench scripts
# Two pytest workers (pytest-xdist) share the machine's two cores; TEST_WORKERS=0 runs in one.
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist worksteal "$@"
# The whole suite also brings up the deployable stack (docker/compose.yaml's services as plain
# processes on PostgreSQL, production settings; about a minute). Set STACK_SMOKE=0 to skip.
if [ "$#" -eq 0 ] && [ "${STACK_SMOKE:-1}" = "1" ]; then
  scripts/stack-smoke.sh
fi
# The whole suite also runs the integrity gates: the chaos run on both databases (about 4
# minutes) and a sample of the mutation gate (about 8 minutes). Set INTEGRITY_GATES=0 to skip.
if [ "$#" -eq 0 ] && [ "${INTEGRITY_GATES:-1}" = "1" ]; then
  scripts/chaos.sh
  .venv/bin/python scripts/mutation_gate.py
fi
