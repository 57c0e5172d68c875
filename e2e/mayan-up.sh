#!/usr/bin/env bash
# Bring up a real Mayan EDMS (from PyPI) on this machine, for end-to-end tests.
#
#   e2e/mayan-up.sh [VERSION]        (default: $MAYAN_VERSION or 4.12.2)
#
# Any 4.x release from 4.4 on (proven: 4.4.16, 4.5.7, 4.10.6, 4.12.2); each release gets its own
# virtualenv, data dir, redis, database and port, so several run side by side:
#   4.12.2 on 127.0.0.1:8000 (as always); any other 4.N.x on 8000 + 10*4 + N: 4.4.x on 8044,
#   4.5.x on 8045, 4.10.x on 8050, 4.11.x on 8051, other 4.12.x on 8052.
#
# What it does (each step is skipped when already done, so a second run is fast):
#   1. installs the Debian packages Mayan needs at run and build time (only missing ones);
#   2. creates a virtualenv in $MAYAN_CACHE_DIR and pip installs mayan-edms==VERSION, redis, gunicorn,
#      psycopg2-binary, plus the pins the release needs (e.g. setuptools<70 before 4.11: their
#      dependencies import pkg_resources, which current setuptools no longer ships);
#   3. picks the database ($MAYAN_DB): SQLite in the data dir, or a database of its own on the local
#      PostgreSQL of e2e/postgres-up.sh (started when needed; one database per release, mayan_4_5_7...);
#   4. runs `common_initial_setup` once on a data dir ($MAYAN_DATA_DIR: SQLite DB, media, logs, pids);
#   5. starts redis (broker + result backend + locks) on a free loopback port,
#      one celery worker consuming every Mayan queue, and gunicorn on 127.0.0.1:$MAYAN_PORT;
#   6. waits until GET /api/v4/project/ answers 200 and writes <data dir>/mayan.env
#      (MAYAN_URL, MAYAN_USERNAME, MAYAN_PASSWORD, shell-sourceable).
# Stop everything with e2e/mayan-down.sh VERSION (add --wipe to delete the data dir).
#
# Environment knobs (all optional):
#   MAYAN_VERSION         Mayan release on PyPI                         (4.12.2)
#   MAYAN_CACHE_DIR       virtualenv location       ($HOME/.cache/mayan-ingest/mayan-<version>)
#   MAYAN_DATA_DIR        data/log/pid dir          ($HOME/.cache/mayan-ingest/data-<version>)
#   MAYAN_PORT            gunicorn port on 127.0.0.1           (8000 for 4.12.2, see above otherwise)
#   MAYAN_DB              sqlite | postgres   (sqlite where Django >= 5.1, i.e. Mayan >= 4.11, else postgres)
#   MAYAN_ADMIN_USER      admin user name                               (admin)
#   MAYAN_ADMIN_PASSWORD  admin password                                (mayan-ingest-e2e)
#   MAYAN_PYTHON          python used to create the venv                (python3)
#   MAYAN_WAIT_SECONDS    how long to wait for the API                  (180)
#   MAYAN_SKIP_APT=1      never call apt-get (fail if something is missing)
#   MAYAN_WITH_LIBREOFFICE=1  also install LibreOffice (page count / versions for office and text files)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

VERSION="${1:-${MAYAN_VERSION:-4.12.2}}"
[[ "$VERSION" =~ ^4\.([0-9]+)(\.[0-9]+)?$ ]] \
    || { echo "[mayan-up] ERROR: '$VERSION' is not a Mayan 4.x release (e.g. 4.12.2, 4.10.6, 4.5.7)" >&2; exit 2; }
MINOR="${BASH_REMATCH[1]}"
[ "$MINOR" -ge 4 ] \
    || { echo "[mayan-up] ERROR: Mayan $VERSION is older than 4.4; this script supports 4.4 and later" >&2; exit 2; }
CACHE_DIR="${MAYAN_CACHE_DIR:-$HOME/.cache/mayan-ingest/mayan-$VERSION}"
DATA_DIR="${MAYAN_DATA_DIR:-$HOME/.cache/mayan-ingest/data-$VERSION}"
# 4.12.2 keeps the port it always had; every other release gets one of its own (8000 + 10*4 + minor),
# so that releases run side by side. RealMayan.java and mayan-down.sh need no port: they read mayan.env.
if [ "$VERSION" = 4.12.2 ]; then DEFAULT_PORT=8000; else DEFAULT_PORT=$(( 8040 + MINOR )); fi
PORT="${MAYAN_PORT:-$DEFAULT_PORT}"

# What each release needs (found by installing and starting each one on this machine, Python 3.11;
# details in e2e/MAYAN-FINDINGS.md, "Releases"):
#  - before 4.11 (Django < 5.1): Django rejects SQLite's `transaction_mode` OPTION, and without
#    BEGIN IMMEDIATE the celery tasks meet "database is locked" 500s: PostgreSQL by default;
#  - before 4.11: `import pkg_resources` when Django loads (4.4/4.5: mayan/apps/dependencies/classes.py,
#    django-model-utils 4.3.1; 4.10: only an optional import), which the setuptools pip installs today
#    no longer provides: pin setuptools<70 in the venv.
if [ "$MINOR" -ge 11 ]; then
    DEFAULT_DB=sqlite
    EXTRA_PINS=""
else
    DEFAULT_DB=postgres
    EXTRA_PINS="setuptools<70"
fi
DB="${MAYAN_DB:-$DEFAULT_DB}"
DB_NAME="mayan_${VERSION//./_}"   # its PostgreSQL database
case "$DB" in sqlite|postgres) ;; *) echo "[mayan-up] ERROR: MAYAN_DB must be sqlite or postgres, not '$DB'" >&2; exit 2 ;; esac
if [ "$DB" = sqlite ] && [ "$MINOR" -lt 11 ]; then
    echo "[mayan-up] WARNING: SQLite with Mayan $VERSION (Django < 5.1) runs without BEGIN IMMEDIATE;" \
         "expect 'database is locked' 500s under load (MAYAN_DB=postgres avoids them)" >&2
fi
ADMIN_USER="${MAYAN_ADMIN_USER:-admin}"
ADMIN_PASSWORD="${MAYAN_ADMIN_PASSWORD:-mayan-ingest-e2e}"
PYTHON="${MAYAN_PYTHON:-python3}"
WAIT_SECONDS="${MAYAN_WAIT_SECONDS:-180}"

VENV="$CACHE_DIR/venv"
MEDIA_ROOT="$DATA_DIR/media"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/log"
REDIS_DIR="$DATA_DIR/redis"
URL="http://127.0.0.1:$PORT"

T0=$(date +%s)
log()  { printf '[mayan-up %3ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die()  { printf '[mayan-up] ERROR: %s\n' "$*" >&2; exit 1; }
phase_start() { PHASE_T=$(date +%s); }
phase_end()   { local s=$(( $(date +%s) - PHASE_T )); log "$1 took ${s}s"; \
                mkdir -p "$DATA_DIR"; echo "$(date -u +%FT%TZ) $1 ${s}s" >> "$DATA_DIR/timings.log"; }

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

# pid_alive PIDFILE PATTERN: true if the pid in PIDFILE runs and its command line contains PATTERN
pid_alive() {
    local f="$1" pat="$2" pid
    [ -s "$f" ] || return 1
    pid="$(tr -d ' \n' < "$f")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pat"
}

# port_in_use PORT: true if something listens on 127.0.0.1:PORT
port_in_use() {
    "$PYTHON_ANY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
}

free_port() {
    "$PYTHON_ANY" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# http_status URL [USER PASSWORD]: prints the HTTP status code (000 when nothing answers)
http_status() {
    local args=(-s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Accept: application/json')
    if [ $# -ge 3 ]; then args+=(-u "$2:$3"); fi
    curl "${args[@]}" "$1" 2>/dev/null || true
}

api_ok() { [ "$(http_status "$URL/api/v4/project/" "$ADMIN_USER" "$ADMIN_PASSWORD")" = 200 ]; }

write_env_file() {
    umask 077
    cat > "$DATA_DIR/mayan.env" <<EOF
# written by e2e/mayan-up.sh; source it: . "$DATA_DIR/mayan.env"
MAYAN_URL=$URL
MAYAN_USERNAME=$ADMIN_USER
MAYAN_PASSWORD=$ADMIN_PASSWORD
MAYAN_VERSION=$VERSION
MAYAN_DATA_DIR=$DATA_DIR
MAYAN_DB=$DB
export MAYAN_URL MAYAN_USERNAME MAYAN_PASSWORD MAYAN_VERSION MAYAN_DATA_DIR MAYAN_DB
EOF
}

print_info() {
    echo
    echo "Mayan EDMS $VERSION is up."
    echo "  MAYAN_URL=$URL"
    echo "  MAYAN_USERNAME=$ADMIN_USER"
    echo "  MAYAN_PASSWORD=$ADMIN_PASSWORD"
    echo "  database:  $DB$( [ "$DB" = postgres ] && echo " ($DB_NAME on the PostgreSQL of e2e/postgres-up.sh)")"
    echo "  data dir:  $DATA_DIR  (logs in $LOG_DIR)"
    echo "  env file:  $DATA_DIR/mayan.env   (. it, then e.g. python3 e2e/probe_mayan.py)"
    echo "  stop with: ${MAYAN_DATA_DIR:+MAYAN_DATA_DIR=$DATA_DIR }$SCRIPT_DIR/mayan-down.sh $VERSION   (--wipe also deletes the data dir)"
    echo "  total time of this run: $(( $(date +%s) - T0 ))s"
}

# any python for the small socket helpers (the venv may not exist yet)
PYTHON_ANY="$(command -v python3 || command -v "$PYTHON" || true)"
[ -n "$PYTHON_ANY" ] || die "no python3 on PATH"
command -v curl >/dev/null || NEED_CURL=1

# ---------------------------------------------------------------------------
# 0. fast path: our Mayan is already up and answering
# ---------------------------------------------------------------------------
if [ -z "${NEED_CURL:-}" ] \
   && pid_alive "$RUN_DIR/gunicorn.pid" gunicorn \
   && pid_alive "$RUN_DIR/celery.pid" celery \
   && pid_alive "$RUN_DIR/redis.pid" redis-server \
   && [ -f "$DATA_DIR/mayan.env" ] && grep -qx "MAYAN_URL=$URL" "$DATA_DIR/mayan.env" \
   && api_ok; then
    log "our Mayan $VERSION is already running on $URL"
    write_env_file
    print_info
    exit 0
fi

# Fail early (before starting anything) when the web port belongs to someone else.
if ! pid_alive "$RUN_DIR/gunicorn.pid" gunicorn && port_in_use "$PORT"; then
    die "127.0.0.1:$PORT is taken by something that is not this Mayan (no live $RUN_DIR/gunicorn.pid). \
Stop it or choose another port: MAYAN_PORT=8001 $0"
fi

# ---------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------
# Run time: file (MIME types), poppler-utils (PDF page count/images), libcairo2 (cairosvg is
# imported when Django starts), gnupg1 (django_gpg), redis-server (broker/locks), curl (health check).
# Build time: gcc + libldap2-dev + libsasl2-dev for python-ldap (pulled in by django-auth-ldap;
# no wheel on PyPI), python3-dev (headers for the *system* python; the pyenv python ships its own).
DEB_PACKAGES="file poppler-utils libcairo2 gnupg1 redis-server gcc libldap2-dev libsasl2-dev python3-dev curl ca-certificates"
# Optional: without LibreOffice, non-PDF/non-image files (text, office) get a checksum and
# mimetype but their page count fails ("LibreOffice not installed"), so no version is created.
if [ -n "${MAYAN_WITH_LIBREOFFICE:-}" ]; then
    DEB_PACKAGES="$DEB_PACKAGES libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui"
fi
missing=""
for p in $DEB_PACKAGES; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ -z "${MAYAN_SKIP_APT:-}" ] || die "missing Debian packages:$missing (MAYAN_SKIP_APT is set)"
    [ "$(id -u)" = 0 ] || die "missing Debian packages:$missing; run as root or install them first"
    phase_start
    log "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # the Debian package starts a system redis on 6379; we run our own, leave theirs alone
    phase_end "apt-get install"
else
    log "Debian packages present"
fi

# ---------------------------------------------------------------------------
# 2. virtualenv with mayan-edms
# ---------------------------------------------------------------------------
MARKER="$VENV/.mayan-ingest-installed-$VERSION"
if [ -f "$MARKER" ] && [ -x "$VENV/bin/mayan-edms.py" ]; then
    log "virtualenv with mayan-edms $VERSION present ($VENV)"
else
    command -v "$PYTHON" >/dev/null || die "python '$PYTHON' not found (set MAYAN_PYTHON)"
    if [ "$MINOR" -ge 11 ]; then need_py="3, 10"; else need_py="3, 8"; fi
    "$PYTHON" -c "import sys; sys.exit(0 if sys.version_info >= ($need_py) else 1)" \
        || die "$PYTHON is older than ${need_py/, /.}, which Mayan $VERSION needs. Set MAYAN_PYTHON."
    phase_start
    log "creating virtualenv $VENV and installing mayan-edms==$VERSION${EXTRA_PINS:+ with $EXTRA_PINS} (cold install, takes minutes)"
    rm -rf "$VENV"
    mkdir -p "$CACHE_DIR"
    "$PYTHON" -m venv "$VENV"
    # shellcheck disable=SC2086  # EXTRA_PINS is a list of requirement specifiers
    "$VENV/bin/python" -m pip install -q --upgrade pip wheel setuptools $EXTRA_PINS \
        > "$CACHE_DIR/pip-install.log" 2>&1 \
        || { tail -40 "$CACHE_DIR/pip-install.log" >&2; die "pip install failed, see $CACHE_DIR/pip-install.log"; }
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install -q "mayan-edms==$VERSION" redis gunicorn psycopg2-binary $EXTRA_PINS \
        >> "$CACHE_DIR/pip-install.log" 2>&1 \
        || { tail -40 "$CACHE_DIR/pip-install.log" >&2; die "pip install failed, see $CACHE_DIR/pip-install.log"; }
    "$VENV/bin/python" -m pip freeze > "$MARKER"
    phase_end "pip install mayan-edms==$VERSION (cold)"
fi
# A venv made before PostgreSQL was an option has no driver yet.
if [ "$DB" = postgres ] && ! "$VENV/bin/python" -c 'import psycopg2' 2>/dev/null; then
    log "installing psycopg2-binary into $VENV"
    "$VENV/bin/python" -m pip install -q psycopg2-binary >> "$CACHE_DIR/pip-install.log" 2>&1 \
        || die "pip install psycopg2-binary failed, see $CACHE_DIR/pip-install.log"
fi

# ---------------------------------------------------------------------------
# 3. environment shared by setup, worker and web
# ---------------------------------------------------------------------------
mkdir -p "$DATA_DIR" "$RUN_DIR" "$LOG_DIR" "$REDIS_DIR"

# redis port: reuse the remembered one when possible, else 6379 if free, else any free port
REDIS_PORT=""
if [ -s "$DATA_DIR/redis.port" ]; then
    REDIS_PORT="$(cat "$DATA_DIR/redis.port")"
    if ! pid_alive "$RUN_DIR/redis.pid" redis-server && port_in_use "$REDIS_PORT"; then
        REDIS_PORT=""   # someone else took it meanwhile
    fi
fi
if [ -z "$REDIS_PORT" ]; then
    if port_in_use 6379; then REDIS_PORT="$(free_port)"; else REDIS_PORT=6379; fi
    echo "$REDIS_PORT" > "$DATA_DIR/redis.port"
fi
REDIS="redis://127.0.0.1:$REDIS_PORT"

export PATH="$VENV/bin:$PATH"
export DJANGO_SETTINGS_MODULE=mayan.settings.production
export MAYAN_MEDIA_ROOT="$MEDIA_ROOT"
export MAYAN_CELERY_BROKER_URL="$REDIS/0"
export MAYAN_CELERY_RESULT_BACKEND="$REDIS/1"
export MAYAN_LOCK_MANAGER_BACKEND="mayan.apps.lock_manager.backends.redis_lock.RedisLock"
export MAYAN_LOCK_MANAGER_BACKEND_ARGUMENTS="{'redis_url': '$REDIS/2'}"
# No OCR / parsing / file-metadata tasks: they need tesseract, exiftool etc. and only add load.
# (They are copied into a document type's settings when the type is created, so set before setup.)
export MAYAN_OCR_AUTO_OCR=false
export MAYAN_DOCUMENT_PARSING_AUTO_PARSING=false
export MAYAN_FILE_METADATA_AUTO_PROCESS=false
# Django search backend: `filter_*` list filters and search query the database directly, so a
# freshly created document type / metadata type / tag is findable at once (the default Whoosh
# backend updates its index asynchronously through the `search` queue, i.e. with a delay).
export MAYAN_SEARCH_BACKEND=mayan.apps.dynamic_search.backends.django.DjangoSearchBackend
export MAYAN_AUTOADMIN_USERNAME="$ADMIN_USER"
export MAYAN_AUTOADMIN_PASSWORD="$ADMIN_PASSWORD"
export MAYAN_ALLOWED_HOSTS="${MAYAN_ALLOWED_HOSTS:-['127.0.0.1', 'localhost', '[::1]']}"
export MAYAN_DEBUG=false
# The database. A data dir keeps the kind it was set up with (file `db`): switching needs a new one.
SETUP_MARKER="$DATA_DIR/setup-done"
if [ -s "$DATA_DIR/db" ]; then set_up_db="$(cat "$DATA_DIR/db")"
elif [ -f "$MEDIA_ROOT/db.sqlite3" ]; then set_up_db=sqlite   # data dirs from before MAYAN_DB
else set_up_db=""; fi
if [ -f "$SETUP_MARKER" ] && [ -n "$set_up_db" ] && [ "$set_up_db" != "$DB" ]; then
    die "data dir $DATA_DIR was set up with $set_up_db, not $DB. Keep MAYAN_DB=$set_up_db, or start afresh: \
$SCRIPT_DIR/mayan-down.sh --wipe $VERSION (or another MAYAN_DATA_DIR)"
fi
if [ -f "$SETUP_MARKER" ] && [ "$set_up_db" = "$DB" ] && { [ "$DB" = postgres ] || [ -f "$MEDIA_ROOT/db.sqlite3" ]; }
then FIRST_SETUP=""; else FIRST_SETUP=1; fi
if [ "$DB" = sqlite ]; then
    # SQLite shared by 2 gunicorn workers and 2 celery processes. Mayan's default SQLite config
    # gives "database is locked" errors in celery tasks under this load (seen in the probe): a
    # deferred transaction that later writes cannot wait for the lock. So: BEGIN IMMEDIATE
    # (Django >= 5.1 `transaction_mode`), WAL journal (readers do not block the writer), 60 s busy timeout.
    # Older Djangos reject `transaction_mode` ("invalid keyword argument for Connection()").
    if [ "$MINOR" -ge 11 ]; then sqlite_tx="'transaction_mode': 'IMMEDIATE', "; else sqlite_tx=""; fi
    export MAYAN_DATABASES="{'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': '$MEDIA_ROOT/db.sqlite3', \
'OPTIONS': {'timeout': 60, ${sqlite_tx}'init_command': 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL'}}}"
else
    # A database of its own on the local PostgreSQL (e2e/postgres-up.sh, idempotent); emptied before a
    # first setup so that a wiped data dir never meets the tables of an earlier one.
    log "PostgreSQL: database $DB_NAME${FIRST_SETUP:+ (created empty for the first setup)}"
    pg_out="$(bash "$SCRIPT_DIR/postgres-up.sh" ${FIRST_SETUP:+--recreate} "$DB_NAME" 2>>"$LOG_DIR/postgres-up.log")" \
        || { tail -20 "$LOG_DIR/postgres-up.log" >&2; die "e2e/postgres-up.sh failed, see $LOG_DIR/postgres-up.log"; }
    pg_value() { printf '%s\n' "$pg_out" | sed -n "s/^$1=//p" | head -n 1; }
    pg_url="$(pg_value INGEST_LEDGER_URL)"            # jdbc:postgresql://127.0.0.1:54329/mayan_ingest
    pg_hostport="${pg_url#jdbc:postgresql://}"; pg_hostport="${pg_hostport%%/*}"
    PG_HOST="${pg_hostport%:*}"; PG_PORT_USED="${pg_hostport##*:}"
    PG_USER="$(pg_value INGEST_LEDGER_USERNAME)"; PG_PASS="$(pg_value INGEST_LEDGER_PASSWORD)"
    [ -n "$PG_HOST" ] && [ -n "$PG_PORT_USED" ] && [ -n "$PG_USER" ] || die "could not read postgres-up.sh's output: $pg_out"
    export MAYAN_DATABASES="{'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': '$DB_NAME', \
'USER': '$PG_USER', 'PASSWORD': '$PG_PASS', 'HOST': '$PG_HOST', 'PORT': '$PG_PORT_USED'}}"
    # The data dir (under ~/.cache) can outlive the PostgreSQL cluster (under /var/tmp, e.g. on a new
    # machine or after postgres-down.sh --wipe): its marker then says "set up" while the database is
    # empty and every request answers 500 (relation "documents_documenttype" does not exist). Such a
    # database gets the first setup again.
    if [ -z "$FIRST_SETUP" ] && ! PGPASSWORD="$PG_PASS" python -c '
import sys, psycopg2
c = psycopg2.connect(host=sys.argv[1], port=sys.argv[2], user=sys.argv[3], dbname=sys.argv[4])
cur = c.cursor(); cur.execute("SELECT to_regclass(%s)", ("public.documents_documenttype",))
sys.exit(0 if cur.fetchone()[0] else 1)' "$PG_HOST" "$PG_PORT_USED" "$PG_USER" "$DB_NAME" 2>>"$LOG_DIR/postgres-up.log"; then
        log "database $DB_NAME has no Mayan tables although $SETUP_MARKER says set up: running the first setup again"
        # gunicorn or celery started against the empty database keep empty permission lookups (every
        # request then 500s on 'NoneType' object has no attribute 'user_has_this'): stop them first.
        bash "$SCRIPT_DIR/mayan-down.sh" "$VERSION" >&2 || true
        FIRST_SETUP=1
    fi
fi
echo "$DB" > "$DATA_DIR/db"
# API throttling stays ON (Mayan's default) so the client meets real 429s.

# ---------------------------------------------------------------------------
# 4. redis
# ---------------------------------------------------------------------------
if pid_alive "$RUN_DIR/redis.pid" redis-server; then
    log "redis already running on 127.0.0.1:$REDIS_PORT"
else
    log "starting redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$RUN_DIR/redis.pid" --dir "$REDIS_DIR" --logfile "$LOG_DIR/redis.log" \
        --save '' --appendonly no --protected-mode yes
    for _ in $(seq 1 50); do
        redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
        sleep 0.2
    done
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG \
        || die "redis did not start, see $LOG_DIR/redis.log"
fi

# ---------------------------------------------------------------------------
# 5. one-time setup (or upgrade when the data dir was set up by another version)
# ---------------------------------------------------------------------------
if [ -z "$FIRST_SETUP" ]; then
    done_version="$(cat "$SETUP_MARKER")"
    if [ "$done_version" = "$VERSION" ]; then
        log "data dir already set up for $VERSION ($DATA_DIR)"
    else
        phase_start
        log "data dir was set up by $done_version: running common_perform_upgrade"
        mayan-edms.py common_perform_upgrade --no-dependencies > "$LOG_DIR/upgrade.log" 2>&1 \
            || { tail -30 "$LOG_DIR/upgrade.log" >&2; die "common_perform_upgrade failed"; }
        echo "$VERSION" > "$SETUP_MARKER"
        phase_end "common_perform_upgrade"
    fi
else
    phase_start
    log "first run: common_initial_setup (creates $MEDIA_ROOT, the $DB database, admin user)"
    # --no-dependencies: do not fetch JS packages / web fonts; the JSON API does not need them
    mayan-edms.py common_initial_setup --force --no-dependencies > "$LOG_DIR/setup.log" 2>&1 \
        || { tail -30 "$LOG_DIR/setup.log" >&2; die "common_initial_setup failed, see $LOG_DIR/setup.log"; }
    echo "$VERSION" > "$SETUP_MARKER"
    phase_end "common_initial_setup"
fi
# Static files (what setup would do without --no-dependencies, minus the npm/font downloads).
# Without the manifest every HTML answer (browsable API, i.e. any request without
# `Accept: application/json`, and HTML error pages) is a 500 "Missing staticfiles manifest entry".
if [ ! -f "$MEDIA_ROOT/static/staticfiles.json" ]; then
    phase_start
    log "collecting static files (appearance_prepare_static)"
    mayan-edms.py appearance_prepare_static --noinput >> "$LOG_DIR/setup.log" 2>&1 \
        || log "WARNING: appearance_prepare_static failed (HTML pages may 500; the JSON API is unaffected)"
    phase_end "appearance_prepare_static"
fi

# The admin is created only once; if MAYAN_ADMIN_PASSWORD changed since, reset it (cheap check first).
creds_changed() {
    [ -f "$DATA_DIR/mayan.env" ] || return 1   # first run: autoadmin_create used the current ones
    ! grep -qxF "MAYAN_USERNAME=$ADMIN_USER" "$DATA_DIR/mayan.env" \
        || ! grep -qxF "MAYAN_PASSWORD=$ADMIN_PASSWORD" "$DATA_DIR/mayan.env"
}
if creds_changed; then
    log "admin credentials changed: (re)setting user $ADMIN_USER"
    mayan-edms.py shell -c "
from django.contrib.auth import get_user_model
import os
U = get_user_model()
u, _ = U.objects.get_or_create(username=os.environ['MAYAN_AUTOADMIN_USERNAME'])
u.is_superuser = u.is_staff = u.is_active = True
u.set_password(os.environ['MAYAN_AUTOADMIN_PASSWORD'])
u.save()
" >> "$LOG_DIR/setup.log" 2>&1 || die "could not reset the admin password, see $LOG_DIR/setup.log"
fi

# ---------------------------------------------------------------------------
# 6. celery worker (one worker for every queue)
# ---------------------------------------------------------------------------
if pid_alive "$RUN_DIR/celery.pid" celery; then
    log "celery worker already running"
else
    rm -f "$RUN_DIR/celery.pid"
    QUEUES_FILE="$DATA_DIR/queues-$VERSION"
    if [ ! -s "$QUEUES_FILE" ]; then
        # Ask the installed Mayan which queues exist (every app registers its CeleryQueue objects;
        # the result is celery's task_queues, which includes the default queue, `default` in 4.12).
        python - > "$QUEUES_FILE" 2>>"$LOG_DIR/setup.log" <<'EOF'
import django
django.setup()
from mayan.celery import app
names = sorted({q.name for q in (app.conf.task_queues or ())} | {app.conf.task_default_queue})
print(",".join(n for n in names if n))
EOF
    fi
    QUEUES="$(cat "$QUEUES_FILE")"
    [ -n "$QUEUES" ] || die "could not read Mayan's queue list"
    log "starting celery worker (concurrency 2, -Ofair) on queues: $QUEUES"
    HOSTNAME_TAG="mayan-ingest-e2e"
    log_offset=$(( $(stat -c %s "$LOG_DIR/celery.log" 2>/dev/null || echo 0) + 1 ))
    celery -A mayan worker -Ofair --concurrency 2 -l INFO -Q "$QUEUES" \
        --hostname "$HOSTNAME_TAG@%h" \
        --detach --pidfile "$RUN_DIR/celery.pid" --logfile "$LOG_DIR/celery.log" \
        || log "celery --detach exited with status $? (seen with 4.5.x on a warm cache although the worker starts); waiting for it"
    # The pid file alone is not a signal of a started worker: celery's detached child writes it at once
    # (before exec), and the worker, once Django is loaded, removes it and writes it again. A CI run read
    # it alive, then absent in that window, and declared the worker dead one second after starting it.
    # So wait for the worker's own "<hostname> ready." line in the part of the log written by this start
    # (2-5 s idle, over 20 s for 4.5.x on two busy cores, once over 2 minutes at a load of 13: up to 6
    # minutes), then for a pid file that stays alive.
    ready=false
    for _ in $(seq 1 1800); do
        if tail -c +"$log_offset" "$LOG_DIR/celery.log" 2>/dev/null | grep -q "$HOSTNAME_TAG@.* ready\."; then
            ready=true; break
        fi
        sleep 0.2
    done
    alive=false
    if $ready; then
        for _ in $(seq 1 50); do
            pid_alive "$RUN_DIR/celery.pid" celery && { alive=true; break; }
            sleep 0.2
        done
    fi
    $alive || { tail -30 "$LOG_DIR/celery.log" >&2; die "celery worker did not start (ready line: $ready), see $LOG_DIR/celery.log"; }
fi

# ---------------------------------------------------------------------------
# 7. gunicorn
# ---------------------------------------------------------------------------
if pid_alive "$RUN_DIR/gunicorn.pid" gunicorn; then
    log "gunicorn already running"
else
    rm -f "$RUN_DIR/gunicorn.pid"
    if port_in_use "$PORT"; then
        die "127.0.0.1:$PORT is taken by something that is not this Mayan (no live $RUN_DIR/gunicorn.pid). \
Stop it or choose another port: MAYAN_PORT=8001 $0"
    fi
    log "starting gunicorn on $URL (2 workers, timeout 120)"
    gunicorn mayan.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 120 \
        --limit-request-line 4094 --daemon --pid "$RUN_DIR/gunicorn.pid" \
        --error-logfile "$LOG_DIR/gunicorn.log" --access-logfile "$LOG_DIR/gunicorn-access.log" \
        --capture-output \
        || die "gunicorn did not start, see $LOG_DIR/gunicorn.log"
fi

# ---------------------------------------------------------------------------
# 8. wait for the API
# ---------------------------------------------------------------------------
phase_start
log "waiting (max ${WAIT_SECONDS}s) for GET $URL/api/v4/project/ = 200"
deadline=$(( $(date +%s) + WAIT_SECONDS ))
status=000
while :; do
    status="$(http_status "$URL/api/v4/project/" "$ADMIN_USER" "$ADMIN_PASSWORD")"
    [ "$status" = 200 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
        tail -20 "$LOG_DIR/gunicorn.log" >&2 || true
        die "Mayan did not answer 200 within ${WAIT_SECONDS}s (last status $status); logs in $LOG_DIR"
    fi
    if ! pid_alive "$RUN_DIR/gunicorn.pid" gunicorn; then
        sleep 2   # gunicorn writes its pid file shortly after --daemon returns
        pid_alive "$RUN_DIR/gunicorn.pid" gunicorn || {
            tail -30 "$LOG_DIR/gunicorn.log" >&2 || true
            die "gunicorn exited, see $LOG_DIR/gunicorn.log"; }
    fi
    sleep 1
done
phase_end "wait for API"
pid_alive "$RUN_DIR/celery.pid" celery || die "celery worker is not running, see $LOG_DIR/celery.log"

write_env_file
echo "$(date -u +%FT%TZ) mayan-up total $(( $(date +%s) - T0 ))s" >> "$DATA_DIR/timings.log"
print_info
