#!/usr/bin/env bash
# Makes sure a PostgreSQL server binary is on this machine (Debian's packages), for the
# throwaway test server that tests/postgres.py starts on 127.0.0.1. Installs nothing
# when initdb is already there.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
echo "PostgreSQL server not found: installing Debian's postgresql package" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql >/dev/null
