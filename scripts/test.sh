#!/usr/bin/env bash
# Runs lint and the whole test suite (SQLite and PostgreSQL) in the project's own virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The report page is checked in a real headless browser (Debian's chromium).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export ADAPTER_TEST_POSTGRES_URL="${ADAPTER_TEST_POSTGRES_URL:-postgresql+psycopg://127.0.0.1:5432/test}"
.venv/bin/ruff check adapter tests bench scripts
.venv/bin/ruff format --check adapter tests bench scripts
.venv/bin/python -m pytest "$@"
