#!/usr/bin/env bash
# Stops the PostgreSQL server of postgres-up.sh; --wipe also deletes its data.
set -euo pipefail
DATA_DIR="${PG_DATA_DIR:-/var/tmp/mayan-ingest/postgres}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$bindir" ] && [ -f "$DATA_DIR/cluster/PG_VERSION" ]; then
    runuser -u postgres -- "$bindir/pg_ctl" -D "$DATA_DIR/cluster" -m fast -w stop >/dev/null 2>&1 || true
fi
if [ "${1:-}" = "--wipe" ]; then
    rm -rf "$DATA_DIR"
fi
echo "postgres-down: stopped" >&2
