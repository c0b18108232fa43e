#!/usr/bin/env bash
# Conformance-run benchmark: `scimtest check` (full catalogue, release build) against the
# embedded provider, next to scim2-tester's own suite against the same provider, same machine.
#   bench/check.sh            (RUNS=5 by default)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
RUNS="${RUNS:-5}"
(cd "$ROOT" && cargo build --release --quiet --bin scimtest)
BIN="$ROOT/target/release/scimtest"
VENV="$ROOT/interop/.venv-scim2"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r "$ROOT/interop/requirements-scim2-tester.txt"
  cp "$ROOT/interop/requirements-scim2-tester.txt" "$VENV/.requirements"
fi
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null || true' EXIT
ms() { python3 -c 'import time; print(int(time.time()*1000))'; }

echo "== scimtest check (embedded provider, $("$BIN" check --list | wc -l) checks), $RUNS runs"
for i in $(seq 1 "$RUNS"); do
  t0=$(ms); "$BIN" check --report-dir "$OUT/r$i" >/dev/null 2>&1; rc=$?; t1=$(ms)
  echo "run $i: $((t1 - t0)) ms wall (exit $rc)"
done

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BIN" serve --listen "127.0.0.1:$PORT" --token bench >/dev/null 2>&1 & PID=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null -H 'Authorization: Bearer bench' "http://127.0.0.1:$PORT/scim/v2/ServiceProviderConfig" && break; sleep 0.05; done
echo "== scim2-tester (its own suite) against scimtest serve, $RUNS runs"
for i in $(seq 1 "$RUNS"); do
  t0=$(ms); "$VENV/bin/python" "$ROOT/interop/scim2_tester_check.py" "http://127.0.0.1:$PORT/scim/v2" --token bench > "$OUT/t$i.txt" 2>&1 || true; t1=$(ms)
  echo "run $i: $((t1 - t0)) ms wall ($(tail -1 "$OUT/t$i.txt"))"
done
