#!/usr/bin/env bash
# Install everything, check lint, format and types, then run the whole test suite (this is
# what CI runs). The checks come first and fail fast: no test runs on code that does not pass.
#   bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
. .venv/bin/activate
ruff check .
ruff format --check .
mypy
# A throw-away PostgreSQL cluster on a private socket, so the PostgreSQL tests really run.
eval "$(bash scripts/pg_test_server.sh start)"
trap 'bash scripts/pg_test_server.sh stop >/dev/null 2>&1 || true' EXIT
mkdir -p test-artifacts
# Two pytest workers, one per core (RESPONDER_TEST_WORKERS=0 runs in one process): every
# fixture that shares something is safe in parallel (free ports, uuid-named PostgreSQL
# databases, a lock on the compiled road caches).
python -m pytest -n "${RESPONDER_TEST_WORKERS:-2}" "$@"
