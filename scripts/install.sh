#!/usr/bin/env bash
# Install everything responder needs on a fresh Debian machine with Python 3.11:
#   bash scripts/install.sh          runtime only (venv + pinned requirements)
#   bash scripts/install.sh --dev    also test tools, Chromium and PostgreSQL (for the tests)
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ $dev -eq 1 ]; then
  # CJK font so headless Chromium renders Chinese pages (browser tests, screenshots)
  apt_install chromium postgresql fonts-wqy-microhei
fi

if [ ! -x .venv/bin/python ]; then
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
fi
. .venv/bin/activate
req=requirements.txt
[ $dev -eq 1 ] && req=requirements-dev.txt
stamp=".venv/.installed-$(sha256sum requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-$dev"
if [ ! -f "$stamp" ]; then
  python -m pip install -q --upgrade pip
  python -m pip install -q -r "$req"
  touch "$stamp"
fi
# The package itself, editable: the pinned lock above decides every dependency version.
python -m pip install -q -e . --no-deps
# UI translations (English); Chinese is the source language of the pages.
pybabel -q compile -d responder/translations
# Map JavaScript/CSS (Leaflet & co.) are committed under responder/static/vendor/; this only
# re-fetches them from npm if some are missing (see responder/mapping/assets.py).
python scripts/vendor_assets.py
