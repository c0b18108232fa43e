#!/usr/bin/env bash
# Idempotently create interop/.peers/venv with the pinned Python SCIM servers of requirements.txt
# (scim2-server, django-scim2 + Django + scim2-filter-parser, and every dependency, from PyPI).
# Recreated only when requirements.txt changes. Python: $PYTHON (default python3, >= 3.10).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$HERE/../.peers"
VENV="$STATE/venv"
REQ="$HERE/requirements.txt"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQ" "$VENV/.requirements"; then
  rm -rf "$VENV"
  mkdir -p "$STATE"
  "${PYTHON:-python3}" -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-compile --no-deps -r "$REQ" >&2
  "$VENV/bin/pip" check >&2
  cp "$REQ" "$VENV/.requirements"
fi
