#!/usr/bin/env bash
# Stop the Mayan EDMS started by e2e/mayan-up.sh (gunicorn, celery worker, redis), by pid files.
#
#   e2e/mayan-down.sh [--wipe] [VERSION]
#
#   --wipe    also delete the data dir (SQLite DB, media, logs); the virtualenv is kept. A release on
#             PostgreSQL keeps its database (mayan_4_5_7 ...) until the next first setup empties it.
# VERSION defaults to $MAYAN_VERSION or 4.12.2; stops only that release (each has its own data dir).
# Uses the same MAYAN_DATA_DIR as mayan-up.sh. Safe to run twice. PostgreSQL is left running
# (e2e/postgres-down.sh stops it; the ledger tests share it).
# MAYAN_STOP_GRACE (seconds, default 20): how long to wait after SIGTERM before SIGKILL.
set -euo pipefail

WIPE=""
VERSION_ARG=""
for a in "$@"; do
    case "$a" in
        --wipe) WIPE=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        -*) echo "unknown option: $a" >&2; exit 2 ;;
        *) VERSION_ARG="$a" ;;
    esac
done
VERSION="${VERSION_ARG:-${MAYAN_VERSION:-4.12.2}}"
DATA_DIR="${MAYAN_DATA_DIR:-$HOME/.cache/mayan-ingest/data-$VERSION}"
RUN_DIR="$DATA_DIR/run"
GRACE="${MAYAN_STOP_GRACE:-20}"

log() { printf '[mayan-down] %s\n' "$*"; }

# stop NAME PIDFILE PATTERN: TERM the pid if it is alive and its command line matches PATTERN,
# wait up to $GRACE s, then KILL; also TERM/KILL its children (gunicorn and celery pool workers)
stop() {
    local name="$1" f="$2" pat="$3" pid kids i
    if [ ! -s "$f" ]; then log "$name: no pid file, not running"; return 0; fi
    pid="$(tr -d ' \n' < "$f")"
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        log "$name: not running (stale pid file)"; rm -f "$f"; return 0
    fi
    if ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pat"; then
        log "$name: pid $pid is not $pat (pid reused?), leaving it alone"; rm -f "$f"; return 0
    fi
    kids="$(pgrep -P "$pid" 2>/dev/null || true)"
    log "$name: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $(( GRACE * 5 ))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name: still alive after ${GRACE}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    for k in $kids; do
        if kill -0 "$k" 2>/dev/null; then kill -KILL "$k" 2>/dev/null || true; fi
    done
    rm -f "$f"
    log "$name: stopped"
}

if [ -d "$RUN_DIR" ]; then
    stop gunicorn "$RUN_DIR/gunicorn.pid" gunicorn
    stop celery   "$RUN_DIR/celery.pid"   celery
    stop redis    "$RUN_DIR/redis.pid"    redis-server
else
    log "nothing to stop ($RUN_DIR does not exist)"
fi

if [ -n "$WIPE" ]; then
    case "$DATA_DIR" in
        ""|/|"$HOME"|"$HOME/") echo "refusing to delete '$DATA_DIR'" >&2; exit 1 ;;
    esac
    if [ -d "$DATA_DIR" ]; then
        rm -rf "$DATA_DIR"
        log "deleted data dir $DATA_DIR"
    else
        log "data dir $DATA_DIR already gone"
    fi
fi
