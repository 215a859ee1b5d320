#!/bin/sh
# Installs Debian's native Lua 5.4, the baseline of bench/parser.bench.ts, when it is missing.
set -e
command -v lua5.4 >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get install -y lua5.4 >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y lua5.4 >/dev/null; }
command -v lua5.4 >/dev/null
