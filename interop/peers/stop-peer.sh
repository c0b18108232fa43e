#!/usr/bin/env bash
# Stop a peer started by one of the start-*.sh scripts, by the PID in its pid file.
# Usage: stop-peer.sh interop/.peers/run/NAME-PORT.pid...
set -euo pipefail
for f in "$@"; do
  [ -f "$f" ] || { echo "no pid file $f" >&2; continue; }
  PID="$(cat "$f")"
  if kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    # Wait up to 5 s for it to go, then force it.
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -9 "$PID" 2>/dev/null || true
    echo "stopped $PID ($f)" >&2
  fi
  rm -f "$f"
done
