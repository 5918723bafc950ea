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
.venv/bin/python -m pytest "$@"
