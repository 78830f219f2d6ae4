#!/usr/bin/env bash
# Install everything and run the whole test suite (this is what CI runs).
#   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
. .venv/bin/activate
# A throw-away PostgreSQL cluster on a private socket, so the PostgreSQL tests really run.
eval "$(bash scripts/pg_test_server.sh start)"
trap 'bash scripts/pg_test_server.sh stop >/dev/null 2>&1 || true' EXIT
mkdir -p test-artifacts
python -m pytest "$@"
