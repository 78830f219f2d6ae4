#!/usr/bin/env bash
# Regenerate the initial-schema migration (0001) from the models.  Only while the schema
# is unreleased; once a database holds real data, add new migrations with
# `flask --app wsgi db migrate -m "..."` instead.  On any failure the old files stay.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
versions=plans_db/migrations/versions
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Generate into a scratch copy of the migrations folder, then swap 0001 in.
cp -r plans_db/migrations "$work/migrations"
find "$work/migrations/versions" -name '*.py' -delete
RESPONDER_DATABASE_URL="sqlite:///$work/regen.sqlite" RESPONDER_LOAD_ROADS=0 \
  flask --app wsgi db migrate -d "$work/migrations" -m "initial schema" --rev-id 0001 \
  >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
generated=$(ls "$work"/migrations/versions/0001_*.py)
ruff format -q "$generated" || true
cp "$generated" "$versions/0001_initial_schema.py"
echo "regenerated $versions/0001_initial_schema.py"
