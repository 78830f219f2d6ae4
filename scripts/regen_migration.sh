#!/usr/bin/env bash
# Regenerate the initial-schema migration (0001) from the models.  Only while the schema
# is unreleased; once a database holds real data, add new migrations with
# `flask --app wsgi db migrate -m "..."` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
versions=plans_db/migrations/versions
tmp=$(mktemp -d)
db="$tmp/regen.sqlite"
# Hand-written migrations after 0001 step aside while 0001 is regenerated.
find "$versions" -name '*.py' ! -name '0001_*' -exec mv {} "$tmp/" \;
rm -f "$versions"/0001_*.py
RESPONDER_DATABASE_URL="sqlite:///$db" RESPONDER_LOAD_ROADS=0 \
  flask --app wsgi db migrate -m "initial schema" --rev-id 0001 >"$tmp/log" 2>&1 \
  || { cat "$tmp/log"; exit 1; }
find "$tmp" -maxdepth 1 -name "*.py" -exec mv {} "$versions/" \;
for f in "$versions"/0001_*.py; do
  [ "$f" = "$versions/0001_initial_schema.py" ] || mv "$f" "$versions/0001_initial_schema.py"
done
rm -rf "$tmp"
ruff format -q "$versions" || true
echo "regenerated $versions/0001_initial_schema.py"
