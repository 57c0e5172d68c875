#!/usr/bin/env bash
# Starts a PostgreSQL server for the ledger tests (and for trying the PostgreSQL ledger by hand):
# Debian's postgresql package, a cluster of its own under a cache directory, on a loopback port.
# Safe to run twice. Prints, and writes to <data dir>/pg.env, INGEST_LEDGER_URL/USERNAME/PASSWORD.
#
#   e2e/postgres-up.sh [--recreate] [DATABASE ...]
#
# DATABASE: further databases owned by the same role, created when missing (e2e/mayan-up.sh keeps one
# per Mayan release, e.g. mayan_4_5_7); --recreate drops those (never the ledger's) and creates them empty.
set -euo pipefail

RECREATE=""
EXTRA_DBS=()
for a in "$@"; do
    case "$a" in
        --recreate) RECREATE=1 ;;
        -*) echo "postgres-up: unknown option $a" >&2; exit 2 ;;
        *) [[ "$a" =~ ^[a-z][a-z0-9_]*$ ]] || { echo "postgres-up: bad database name '$a'" >&2; exit 2; }
           EXTRA_DBS+=("$a") ;;
    esac
done

# Outside $HOME: the server runs as the postgres user, which cannot enter /root.
DATA_DIR="${PG_DATA_DIR:-/var/tmp/mayan-ingest/postgres}"
PORT="${PG_PORT:-54329}"
DB=mayan_ingest
ROLE=mayan_ingest
PASSWORD="${PG_PASSWORD:-mayan-ingest-test}"

log() { printf 'postgres-up: %s\n' "$*" >&2; }

bindir=""
find_bindir() {
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
}
find_bindir
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
    find_bindir
fi
[ -x "$bindir/initdb" ] || { log "no initdb found after installing postgresql"; exit 1; }

as_postgres() { runuser -u postgres -- "$@"; }

mkdir -p "$DATA_DIR"
chown postgres:postgres "$DATA_DIR"
chmod 700 "$DATA_DIR"
cluster="$DATA_DIR/cluster"
if [ ! -f "$cluster/PG_VERSION" ]; then
    log "creating a cluster in $cluster"
    as_postgres "$bindir/initdb" -D "$cluster" -A trust -U postgres >/dev/null
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $PORT"
        echo "unix_socket_directories = '$DATA_DIR'"
        echo "fsync = on"
    } >> "$cluster/postgresql.conf"
    echo "host all all 127.0.0.1/32 scram-sha-256" > "$cluster/pg_hba.conf"
    echo "local all postgres trust" >> "$cluster/pg_hba.conf"
fi

if as_postgres "$bindir/pg_ctl" -D "$cluster" status >/dev/null 2>&1; then
    log "already running on 127.0.0.1:$PORT"
else
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        log "port $PORT is taken by something else; set PG_PORT"
        exit 1
    fi
    as_postgres "$bindir/pg_ctl" -D "$cluster" -l "$DATA_DIR/postgres.log" -w -t 60 start >/dev/null
    log "started on 127.0.0.1:$PORT"
fi

psql_admin() { as_postgres psql -h "$DATA_DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE $DB OWNER $ROLE"
fi
for extra in "${EXTRA_DBS[@]}"; do
    [ "$extra" != "$DB" ] || continue
    if [ -n "$RECREATE" ]; then
        log "dropping and creating database $extra"
        psql_admin -c "DROP DATABASE IF EXISTS $extra WITH (FORCE)"
    fi
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$extra'")" != "1" ]; then
        psql_admin -c "CREATE DATABASE $extra OWNER $ROLE"
    fi
done

cat > "$DATA_DIR/pg.env" <<ENV
INGEST_LEDGER_URL=jdbc:postgresql://127.0.0.1:$PORT/$DB
INGEST_LEDGER_USERNAME=$ROLE
INGEST_LEDGER_PASSWORD=$PASSWORD
export INGEST_LEDGER_URL INGEST_LEDGER_USERNAME INGEST_LEDGER_PASSWORD
ENV
cat "$DATA_DIR/pg.env"
