#!/usr/bin/env bash
# Creates .venv (if missing) and installs exactly the locked versions with their hashes:
#   scripts/bootstrap.sh            runtime and test dependencies (requirements/test.lock)
#   scripts/bootstrap.sh runtime    runtime dependencies only (requirements/runtime.lock)
# then the adapter itself (editable). Nothing is installed when the lock, pyproject.toml and
# the mode are those of the last run. The installer is uv, from PyPI, at the version below.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
mode="${1:-test}"
case "$mode" in
  --tools-only) exit 0 ;;
  test | runtime) ;;
  *) echo "usage: scripts/bootstrap.sh [test|runtime]" >&2; exit 2 ;;
esac
lock="requirements/$mode.lock"
stamp=".venv/.installed-$mode-$(cat "$lock" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  # A dependency added to pyproject.toml but not to the lock files stops here, naming it.
  .venv/bin/python scripts/check_lock.py
  export VIRTUAL_ENV="$PWD/.venv"
  # sync: exactly the lock's packages (others, e.g. test tools in a runtime set-up, go).
  .venv/bin/uv pip sync --quiet --require-hashes "$lock"
  .venv/bin/uv pip install --quiet --no-deps --editable .
  rm -f .venv/.installed-*
  touch "$stamp"
fi
