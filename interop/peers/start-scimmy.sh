#!/usr/bin/env bash
# Start an in-memory SCIM server built on SCIMMY 1.3.5 + scimmy-routers 1.3.2 + express 5.3.0
# (npm, node/package-lock.json) on 127.0.0.1.
# Usage: start-scimmy.sh [PORT=a free one] [BEARER_TOKEN=secret-token | "" to accept any request]
# Prints BASE_URL=, AUTH=, PID=, PIDFILE=; pid and log in interop/.peers/run/scimmy-PORT.{pid,log}.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$(cd "$HERE/.." && pwd)/.peers/run"
PORT="${1:-$("${PYTHON:-python3}" "$HERE/free-port.py")}"
TOKEN="${2-secret-token}"
"$HERE/ensure-node.sh"
NODE_DIR="$HERE/../.peers/node"
mkdir -p "$RUN"
PIDFILE="$RUN/scimmy-$PORT.pid"
LOG="$RUN/scimmy-$PORT.log"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "already running: PID $(cat "$PIDFILE")" >&2
else
  HOST=127.0.0.1 nohup node "$NODE_DIR/scimmy-server.mjs" "$PORT" "$TOKEN" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
fi
PID="$(cat "$PIDFILE")"
HDR=(); [ -n "$TOKEN" ] && HDR=(-H "Authorization: Bearer $TOKEN")
for _ in $(seq 1 200); do
  if curl -sf -o /dev/null "${HDR[@]}" "http://127.0.0.1:$PORT/scim/ServiceProviderConfig"; then
    echo "BASE_URL=http://127.0.0.1:$PORT/scim"
    echo "AUTH=${TOKEN:+Bearer $TOKEN}"
    echo "PID=$PID"
    echo "PIDFILE=$PIDFILE"
    exit 0
  fi
  kill -0 "$PID" 2>/dev/null || { echo "scimmy server died; log:" >&2; cat "$LOG" >&2; rm -f "$PIDFILE"; exit 1; }
  sleep 0.1
done
echo "scimmy server did not answer within 20 s; log:" >&2; cat "$LOG" >&2; kill "$PID" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1
