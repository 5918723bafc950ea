#!/usr/bin/env bash
# The main job: maps the bundled sample plan export to FHIR Bundles and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/ltsc-adapter map samples/plan-export.json -o out/bundles "$@"
