#!/usr/bin/env bash
# A real PostgreSQL streaming replica of the test server, for the read-replica tests (tests/core/test_replicas.py):
# `pg_basebackup -R` of the server at $PG_HOST:$PG_PORT into a temporary cluster that streams from it on
# $REPLICA_PORT. Usage: scripts/pg_replica.sh start DIR | stop DIR. Prints the replica's URL on success.
# It needs the server's own binaries and the right to run them as the `postgres` user (root, or that user).
set -euo pipefail
ACTION="${1:?start|stop}"; DIR="${2:?directory}"
PG_HOST="${PG_HOST:-127.0.0.1}"; PG_PORT="${PG_PORT:-5432}"
# A free port unless one is given, so a replica left running elsewhere never blocks this one.
REPLICA_PORT="${REPLICA_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
VERSION="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
BIN="/usr/lib/postgresql/$VERSION/bin"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

if [ "$ACTION" = stop ]; then
  [ -f "$DIR/data/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  exit 0
fi

[ -x "$BIN/pg_basebackup" ] || { echo "no PostgreSQL binaries in $BIN" >&2; exit 1; }
psql_primary() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc "$1"; }
# The server must let a replication connection in from this machine. Debian's default pg_hba.conf allows it only
# over the local socket; add the loopback line once (trust, like the rest of this test server) and reload.
if [ "$(psql_primary "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND address = '127.0.0.1'")" = 0 ]; then
  HBA="$(psql_primary "SHOW hba_file")"
  echo "host replication all 127.0.0.1/32 trust  # added by jingzhi scripts/pg_replica.sh for the replica tests" >>"$HBA"
  psql_primary "SELECT pg_reload_conf()" >/dev/null
fi
mkdir -p "$DIR"; chown postgres "$DIR" 2>/dev/null || true
as_postgres "$BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$DIR/data" -R -X stream -c fast
# Debian keeps the configuration outside the data directory, so the copy has none: give it the minimum. A standby
# must allow at least as many connections, workers, senders, prepared transactions and locks as its primary.
LIMITS="$(psql_primary "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')")"
printf '%s\n' "port = $REPLICA_PORT" "listen_addresses = '127.0.0.1'" "unix_socket_directories = '$DIR'" 'hot_standby = on' \
  'shared_buffers = 32MB' "$LIMITS" | as_postgres tee "$DIR/data/postgresql.conf" >/dev/null
printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' | as_postgres tee "$DIR/data/pg_hba.conf" >/dev/null
as_postgres touch "$DIR/data/pg_ident.conf"
as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null
echo "postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
