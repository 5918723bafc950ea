#!/usr/bin/env bash
# Runs the test suite with the machine's clock moved to another day (default 2031-02-28 09:00 UTC)
# for this process and every process it starts (libfaketime from Debian's faketime package):
# nothing in the product may read the wall clock except the one clock the tests pin.
#   scripts/test-clock-ahead.sh [YYYY-MM-DD] [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-2031-02-28}"
shift || true
scripts/bootstrap.sh
if ! command -v faketime >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
fi
# A relative offset keeps every process on the same moved clock, whenever it starts.
offset=$(( $(date -u -d "$target 09:00:00" +%s) - $(date -u +%s) ))
export ADAPTER_TEST_POSTGRES_URL="${ADAPTER_TEST_POSTGRES_URL:-postgresql+psycopg://127.0.0.1:5432/test}"
echo "Running the suite with the clock at $(date -u -d "@$(( $(date -u +%s) + offset ))" +%FT%TZ)"
exec faketime -f "+${offset}" .venv/bin/python -m pytest "$@"
