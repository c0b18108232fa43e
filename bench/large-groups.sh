#!/usr/bin/env bash
# Large groups: one-member PATCH latency on groups of 1,000, 10,000 and 50,000 members, against
# `scimtest serve` (release build), from one keep-alive connection, one request at a time.
#
#   bench/large-groups.sh                     (SIZES=1000,10000,50000 ITERATIONS=1000)
#   BIN=old/scimtest bench/large-groups.sh    measure another build of the provider (e.g. the
#                                             previous commit's, to compare in one session)
#
# For each size the client (examples/large_groups.rs) creates the users through /Bulk, fills a
# group by PATCH in batches of 500, then times ITERATIONS rounds of adding one more member and
# removing it again (`members[value eq "…"]`), each with ?excludedAttributes=members; then the
# same with `Prefer: return=minimal` (204 where the provider offers it). It prints p50 and p99
# per size, response mode and operation. A provider that refuses to grow a group says so for that
# size and the run goes on.
# Needs: cargo, python3 (to find a free port), curl.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SIZES="${SIZES:-1000,10000,50000}"
ITERATIONS="${ITERATIONS:-1000}"
TOKEN="bench-token"
OUT="$HERE/out"
mkdir -p "$OUT"

if [ -z "${BIN:-}" ] || [ -z "${CLIENT:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet --bin scimtest --example large_groups)
fi
BIN="${BIN:-$ROOT/target/release/scimtest}"
CLIENT="${CLIENT:-$ROOT/target/release/examples/large_groups}"

PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT/scim/v2"
"$BIN" serve --listen "127.0.0.1:$PORT" --token "$TOKEN" >"$OUT/large-groups-serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/ServiceProviderConfig" && break
  sleep 0.1
done

echo "provider: $BIN ($("$BIN" --version 2>/dev/null || echo unknown version))"
echo "sizes: $SIZES; $ITERATIONS add + $ITERATIONS remove per size and response mode"
"$CLIENT" "$BASE" "$TOKEN" "$SIZES" "$ITERATIONS" | tee "$OUT/large-groups.txt"
echo "provider peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$PID/status" 2>/dev/null || echo unknown)"
