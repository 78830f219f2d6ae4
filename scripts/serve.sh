#!/usr/bin/env bash
# Install responder and start it on http://127.0.0.1:8000 with the demo region:
#   bash scripts/serve.sh
# On a fresh clone: installs the runtime (scripts/install.sh), creates the SQLite database
# (plans_db/responder.sqlite), compiles the demo road network, loads the demo data and prints
# the demo logins, then runs gunicorn.  Later runs keep the data and the logins.
# Environment: RESPONDER_BIND (default 127.0.0.1:8000), RESPONDER_WORKERS (default 2),
# RESPONDER_DEMO_PASSWORD (one password for all demo users; default random), and every
# RESPONDER_* setting of responder/settings.py.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
. .venv/bin/activate

# One signing key for every worker and restart, kept outside git (see .gitignore).
mkdir -p plans_db
key_file=plans_db/.secret_key
if [ -z "${RESPONDER_SECRET_KEY:-}" ]; then
  if [ ! -s "$key_file" ]; then
    (umask 077 && python -c 'import secrets; print(secrets.token_hex(32))' >"$key_file")
  fi
  RESPONDER_SECRET_KEY="$(cat "$key_file")"
  export RESPONDER_SECRET_KEY
fi

# Set-up commands need no road network in memory.
setup() { RESPONDER_LOAD_ROADS=0 flask --app wsgi "$@"; }

setup db upgrade

if setup roads --help >/dev/null 2>&1; then
  setup roads import maps/demo/hangzhou_core.osm.bz2 --region demo
else
  echo "note: 'flask roads' is not available yet; starting without a road network" \
       "(dispatch needs one)."
fi

logins=plans_db/demo-logins.txt
setup demo load --if-empty --logins-file "$logins"
if [ -s "$logins" ]; then
  echo "Demo logins (written at the first load) are in $logins."
fi
echo "Lost them? Add an admin: flask --app wsgi users create NAME --role admin" \
     "(or reload everything: flask --app wsgi demo load --reset)."

bind="${RESPONDER_BIND:-127.0.0.1:8000}"
echo "responder: http://$bind/  (API: http://$bind/api/v1/, OpenAPI: /api/v1/openapi.json)"
# --preload: the master loads the app (and, with WARM_ROADS, a large network's contraction
# hierarchy) once, and the workers it forks share those pages instead of building their own.
export RESPONDER_WARM_ROADS="${RESPONDER_WARM_ROADS:-1}"
exec gunicorn --bind "$bind" --workers "${RESPONDER_WORKERS:-2}" --timeout 60 --preload wsgi:app
