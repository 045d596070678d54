#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster under /tmp.
#
#   scripts/with_postgres.sh .venv/bin/pytest -q tests/unit/test_store.py
#   scripts/with_postgres.sh bash scripts/test.sh      # what scripts/test.sh does by itself as root
#
# The cluster listens on a Unix socket only (no TCP port to collide with), uses trust
# authentication for the local user "lokus", and is stopped and deleted on exit. When run
# as root, the server runs as the "postgres" system user (PostgreSQL refuses root).
# PGBIN overrides the server binaries folder (default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail

PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" ]]; then
  echo "with_postgres.sh: PostgreSQL server binaries not found (install the 'postgresql' package or set PGBIN)" >&2
  exit 2
fi

WORK="$(mktemp -d /tmp/lokus-pg.XXXXXX)"
PORT="${PGPORT:-54329}"

as_server_user() {
  if [[ "$(id -u)" == 0 ]]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

cleanup() {
  as_server_user "'$PGBIN/pg_ctl' -D '$WORK/data' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "$(id -u)" == 0 ]]; then
  chown postgres "$WORK"
fi
as_server_user "'$PGBIN/initdb' -D '$WORK/data' -U lokus --auth=trust -E UTF8 --locale=C.UTF-8 >'$WORK/initdb.log'"
as_server_user "'$PGBIN/pg_ctl' -D '$WORK/data' -l '$WORK/server.log' -w \
  -o \"-p $PORT -k $WORK -c listen_addresses='' -c fsync=off\" start >/dev/null" || {
  cat "$WORK/server.log" >&2
  exit 2
}

export DATABASE_URL="postgresql+psycopg2://lokus@/postgres?host=$WORK&port=$PORT"
echo "with_postgres.sh: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at $WORK (socket, port $PORT)"
"$@"
