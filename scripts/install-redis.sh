#!/usr/bin/env bash
# Makes sure Debian's redis-server is on this machine, for bench/leaderboard.py (which
# starts its own throwaway server on 127.0.0.1 and stops it). Installs nothing when
# redis-server is already there.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server not found: installing Debian's redis-server package" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server >/dev/null
