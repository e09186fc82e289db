#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (for the store's PostgreSQL tests) when they are missing.
# Idempotent. The tests start their own throwaway cluster (initdb in a temp folder, a unix socket, run as the
# postgres user when the tests run as root); nothing here starts or configures a server.
# Debian 12 serves PostgreSQL 15.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql
