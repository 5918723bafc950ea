#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml: requirements/test.lock (runtime and test
# dependencies, used by scripts/bootstrap.sh and CI) and requirements/runtime.lock (runtime only,
# used by scripts/run.sh and docker/Dockerfile), every version pinned with its hashes.
#
# Re-run it after changing the dependencies in pyproject.toml and commit both files. Versions
# already in the lock files are kept when they still fit, so only what changed moves; set
# LOCK_UPGRADE=1 to take the newest versions the ranges allow.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --tools-only
uv=.venv/bin/uv
options=(--quiet --generate-hashes --universal --python-version 3.11
  --no-emit-index-url --custom-compile-command scripts/lock.sh)
if [ "${LOCK_UPGRADE:-0}" = "1" ]; then
  options+=(--upgrade)
fi
# The test lock first; the runtime lock is constrained by it, so both pin the same versions.
"$uv" pip compile "${options[@]}" --extra test pyproject.toml -o requirements/test.lock
"$uv" pip compile "${options[@]}" --constraint requirements/test.lock pyproject.toml \
  -o requirements/runtime.lock
.venv/bin/python scripts/check_lock.py
