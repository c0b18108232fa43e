#!/usr/bin/env bash
# Start scim2-server 0.8.3 (python-scim's in-memory server, PyPI) in the background on 127.0.0.1.
# Usage: start-scim2-server.sh [PORT=a free one] [BEARER_TOKEN=secret-token | "" for no auth]
# Prints BASE_URL=, AUTH=, PID=, PIDFILE=; pid and log in interop/.peers/run/scim2-server-PORT.{pid,log}.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$(cd "$HERE/.." && pwd)/.peers/run"
PORT="${1:-$("${PYTHON:-python3}" "$HERE/free-port.py")}"
TOKEN="${2-secret-token}"
"$HERE/ensure-venv.sh"
V="$HERE/../.peers/venv"
mkdir -p "$RUN"
PIDFILE="$RUN/scim2-server-$PORT.pid"
LOG="$RUN/scim2-server-$PORT.log"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "already running: PID $(cat "$PIDFILE")" >&2
else
  ARGS=(--hostname 127.0.0.1 --port "$PORT")
  [ -n "$TOKEN" ] && ARGS+=(--bearer-token "$TOKEN")
  nohup "$V/bin/scim2-server" "${ARGS[@]}" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
fi
PID="$(cat "$PIDFILE")"
HDR=(); [ -n "$TOKEN" ] && HDR=(-H "Authorization: Bearer $TOKEN")
for _ in $(seq 1 200); do
  if curl -sf -o /dev/null "${HDR[@]}" "http://127.0.0.1:$PORT/v2/ServiceProviderConfig"; then
    echo "BASE_URL=http://127.0.0.1:$PORT/v2"
    echo "AUTH=${TOKEN:+Bearer $TOKEN}"
    echo "PID=$PID"
    echo "PIDFILE=$PIDFILE"
    exit 0
  fi
  kill -0 "$PID" 2>/dev/null || { echo "scim2-server died; log:" >&2; cat "$LOG" >&2; rm -f "$PIDFILE"; exit 1; }
  sleep 0.1
done
echo "scim2-server did not answer within 20 s; log:" >&2; cat "$LOG" >&2; kill "$PID" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1
