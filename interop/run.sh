#!/usr/bin/env bash
# Interop: run other people's SCIM testers against `scimtest serve` on loopback.
#   interop/run.sh [path/to/scimtest]      (default: target/debug/scimtest, built if missing)
# Creates pinned venvs under interop/.venv-* (PyPI only), starts the provider on a free port with
# a known token, runs scim2-tester (>= 130 checks, 0 failures) and scim-sanity probe (0 failures),
# and stops the provider whatever happens.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN="${1:-$ROOT/target/debug/scimtest}"
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --quiet)
PY="${PYTHON:-python3}"

venv() { # venv DIR REQUIREMENTS
  if [ ! -x "$1/bin/python" ] || ! cmp -s "$2" "$1/.requirements"; then
    rm -rf "$1"
    "$PY" -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
    cp "$2" "$1/.requirements"
  fi
}
venv "$HERE/.venv-scim2" "$HERE/requirements-scim2-tester.txt"
venv "$HERE/.venv-sanity" "$HERE/requirements-scim-sanity.txt"

PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TOKEN="interop-$RANDOM$RANDOM"
LOG="$(mktemp)"
"$BIN" serve --listen "127.0.0.1:$PORT" --token "$TOKEN" >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG"' EXIT
URL="http://127.0.0.1:$PORT/scim/v2"
for _ in $(seq 1 200); do
  if curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/ServiceProviderConfig"; then break; fi
  kill -0 "$PID" 2>/dev/null || { echo "provider died:"; cat "$LOG"; exit 1; }
  sleep 0.05
done

status=0
echo "== scim2-tester against $URL"
"$HERE/.venv-scim2/bin/python" "$HERE/scim2_tester_check.py" "$URL" --token "$TOKEN" --min-checks 130 || status=1

echo "== scim-sanity probe against $URL"
if ! "$HERE/.venv-sanity/bin/scim-sanity" probe "$URL" --token "$TOKEN" --i-accept-side-effects; then
  status=1
fi
exit $status
