#!/usr/bin/env bash
# The main job: the FHIR service on 127.0.0.1 with the sample plan export loaded into SQLite,
# bearer-token auth on (a local development issuer; the command prints how to get a token) and
# the CBO web app at /app with a development sign-in for the sample users.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh runtime  # runtime dependencies only (requirements/runtime.lock)
mkdir -p var
export ADAPTER_WEBAPP_DEV_LOGIN="${ADAPTER_WEBAPP_DEV_LOGIN:-1}"
exec .venv/bin/ltsc-adapter serve --load-samples "$@"
