#!/usr/bin/env bash
# Creates the stack's secrets in docker/secrets/ (never committed): the PostgreSQL password and
# the key that signs the web app's session cookies, random, one file each. An existing file is
# kept, so re-running changes nothing; delete a file and re-run to make a new one (a new
# database password also needs ALTER ROLE in a database that already exists).
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
chmod 700 secrets
for name in postgres-password webapp-secret-key; do
  if [ ! -s "secrets/$name" ]; then
    python3 -c "import secrets; print(secrets.token_urlsafe(48))" > "secrets/$name"
    # Readable by the containers' own users (root for postgres, 10001 for the adapter); on
    # this machine the folder above (mode 700) keeps others out.
    chmod 644 "secrets/$name"
    echo "created docker/secrets/$name"
  fi
done
