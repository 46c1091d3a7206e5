#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server (Debian's `postgresql` package) on a free
# port in a temporary data directory, and COPROGRAMMA_TEST_POSTGRES_URL pointing at it.
# Without PostgreSQL binaries the command runs alone (the PostgreSQL tests are then skipped).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL not installed, PostgreSQL tests will be skipped" >&2
  exec "$@"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
datadir=$(mktemp -d /tmp/coprogramma-pg.XXXXXX)
runas=()
if [ "$(id -u)" = "0" ]; then  # initdb refuses to run as root
  chown postgres:postgres "$datadir"
  runas=(runuser -u postgres --)
fi
cleanup() {
  "${runas[@]}" "$bindir/pg_ctl" -D "$datadir" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT

"${runas[@]}" "$bindir/initdb" -D "$datadir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${runas[@]}" "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
  -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null

export COPROGRAMMA_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL on port $port" >&2
"$@"
