#!/usr/bin/env bash
# Start django-scim2 0.23.0 (PyPI, 15five) in the minimal Django 5.2 project django-scim2/ on 127.0.0.1.
# Usage: start-django-scim2.sh [PORT=a free one] [BEARER_TOKEN=secret-token | "" to accept any request]
# Prints BASE_URL=, AUTH=, PID=, PIDFILE=; pid and log in interop/.peers/run/django-scim2-PORT.{pid,log}.
# Every start migrates a fresh sqlite file, interop/.peers/run/django-scim2-PORT.sqlite3 (WAL,
# IMMEDIATE transactions).
# SCIM_FIX_ENDPOINT=1: diagnostic variant that advertises the ResourceType endpoints "/Users" and
# "/Groups" instead of the library's "/scim/v2/Users" and "/scim/v2/Groups" (default: as shipped).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$(cd "$HERE/.." && pwd)/.peers/run"
PORT="${1:-$("${PYTHON:-python3}" "$HERE/free-port.py")}"
TOKEN="${2-secret-token}"
"$HERE/ensure-venv.sh"
V="$HERE/../.peers/venv"
PROJ="$HERE/django-scim2"
mkdir -p "$RUN"
PIDFILE="$RUN/django-scim2-$PORT.pid"
LOG="$RUN/django-scim2-$PORT.log"
DB="$RUN/django-scim2-$PORT.sqlite3"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "already running: PID $(cat "$PIDFILE")" >&2
else
  rm -f "$DB" "$DB-wal" "$DB-shm"
  # No __pycache__ in the source tree.
  export PYTHONDONTWRITEBYTECODE=1 SCIM_PORT="$PORT" SCIM_TOKEN="$TOKEN" SCIM_DB="$DB"
  "$V/bin/python" "$PROJ/manage.py" migrate -v0 >"$LOG" 2>&1 \
    || { echo "django-scim2: migrate failed; log:" >&2; cat "$LOG" >&2; exit 1; }
  nohup "$V/bin/python" "$PROJ/manage.py" runserver "127.0.0.1:$PORT" --noreload >>"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
fi
PID="$(cat "$PIDFILE")"
HDR=(); [ -n "$TOKEN" ] && HDR=(-H "Authorization: Bearer $TOKEN")
for _ in $(seq 1 200); do
  if curl -sf -o /dev/null "${HDR[@]}" "http://127.0.0.1:$PORT/scim/v2/ServiceProviderConfig"; then
    echo "BASE_URL=http://127.0.0.1:$PORT/scim/v2"
    echo "AUTH=${TOKEN:+Bearer $TOKEN}"
    echo "PID=$PID"
    echo "PIDFILE=$PIDFILE"
    exit 0
  fi
  kill -0 "$PID" 2>/dev/null || { echo "django-scim2 died; log:" >&2; cat "$LOG" >&2; rm -f "$PIDFILE"; exit 1; }
  sleep 0.1
done
echo "django-scim2 did not answer within 20 s; log:" >&2; cat "$LOG" >&2; kill "$PID" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1
