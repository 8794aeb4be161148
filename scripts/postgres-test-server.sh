#!/usr/bin/env bash
# A throwaway PostgreSQL for tresor's PostgreSQL tests and benchmark, on loopback only.
#
#   scripts/postgres-test-server.sh start   starts it; prints the conninfo and writes it to
#                                           .build-pg/conninfo
#   scripts/postgres-test-server.sh stop    stops it and removes its data
#
# Installs nothing: it uses Debian's PostgreSQL server (apt package postgresql-15, or
# postgresql). The cluster lives in a temporary folder and runs as the current user, or, when
# run as root (CI), as the system user `tresorpg`, made if missing: PostgreSQL refuses to run
# as root. It listens on 127.0.0.1 on a free port, with password authentication for TCP
# (the password is random and only in the conninfo file), so the tests also check that no
# password reaches tresor's output.
#
# Use: export TRESOR_TEST_PG_CONN="$(cat .build-pg/conninfo)"
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir=.build-pg
run_user=tresorpg

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
    done
    echo "postgres-test-server: no PostgreSQL server found in /usr/lib/postgresql (apt-get install postgresql-15)" >&2
    exit 1
}

# Runs a command as the cluster's owner, from / (the checkout may be closed to that user, and
# PostgreSQL's tools refuse a working directory they cannot read).
as_owner() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$run_user" -- "$@"); else "$@"; fi
}

start() {
    if [ -f "$state_dir/folder" ] && [ -d "$(cat "$state_dir/folder")" ]; then
        echo "postgres-test-server: already running; \`$0 stop\` first" >&2
        exit 1
    fi
    local bin folder port password
    bin=$(pg_bin)
    if [ "$(id -u)" = 0 ] && ! id "$run_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$run_user"
    fi
    folder=$(mktemp -d "${TMPDIR:-/tmp}/tresor-pg.XXXXXX")
    chmod 700 "$folder"
    if [ "$(id -u)" = 0 ]; then chown "$run_user" "$folder"; fi
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" | as_owner tee "$folder/password" >/dev/null
    as_owner "$bin/initdb" -D "$folder/data" -U tresor --pwfile="$folder/password" -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >"$folder/initdb.log" 2>&1 \
        || { cat "$folder/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $folder -c max_connections=100" start >/dev/null \
        || { cat "$folder/server.log" >&2; exit 1; }
    mkdir -p "$state_dir"
    echo "$folder" >"$state_dir/folder"
    echo "host=127.0.0.1 port=$port dbname=postgres user=tresor password=$password" >"$state_dir/conninfo"
    echo "postgres-test-server: PostgreSQL on 127.0.0.1:$port (data in $folder); conninfo in $state_dir/conninfo" >&2
    cat "$state_dir/conninfo"
}

stop() {
    [ -f "$state_dir/folder" ] || { echo "postgres-test-server: not running" >&2; return 0; }
    local folder
    folder=$(cat "$state_dir/folder")
    if [ -d "$folder/data" ]; then
        as_owner "$(pg_bin)/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$folder" "$state_dir/folder" "$state_dir/conninfo"
    echo "postgres-test-server: stopped" >&2
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 64 ;;
esac
