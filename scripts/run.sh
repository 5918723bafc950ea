#!/usr/bin/env bash
# The main job: the FHIR service on 127.0.0.1 with the sample plan export loaded into SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
mkdir -p var
exec .venv/bin/ltsc-adapter serve --load-samples "$@"
