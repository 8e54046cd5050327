#!/bin/sh
# The browser tests drive Debian's chromium (never a downloaded browser build).
set -e
if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
