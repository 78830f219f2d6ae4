#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server for the tests, listening only on a Unix
# socket in a temporary folder.  `start` prints `export RESPONDER_TEST_PG_URL=...`.
set -euo pipefail
root=/tmp/responder-pg
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (bash scripts/install.sh --dev)" >&2; exit 1; }
run() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
case "${1:-start}" in
  start)
    if [ ! -f "$root/data/PG_VERSION" ]; then
      mkdir -p "$root"
      [ "$(id -u)" -eq 0 ] && chown postgres "$root"
      run "$bin/initdb -D $root/data -A trust -U postgres" >/dev/null
    fi
    if ! run "$bin/pg_ctl -D $root/data status" >/dev/null 2>&1; then
      run "$bin/pg_ctl -D $root/data -l $root/log -w -o \"-k $root -c listen_addresses=''\" start" >/dev/null
    fi
    echo "export RESPONDER_TEST_PG_URL='postgresql+psycopg://postgres@/postgres?host=$root'"
    ;;
  stop)
    run "$bin/pg_ctl -D $root/data -m fast stop" || true
    ;;
esac
