#!/usr/bin/env bash
# The provider under `scimtest load` for a long run (default 10 minutes): errors, throughput,
# latency, and the provider's resident memory sampled every 10 s (flat after warm-up, or a leak).
# Usage: bench/sustained.sh [MINUTES]. A benchmark, not a test: it takes both cores for the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MINUTES="${1:-10}"
cargo build --release -q
BIN=target/release/scimtest
PORT="${PORT:-18555}"
TOKEN="bench-$RANDOM$RANDOM"
OUT="reports/sustained-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
"$BIN" serve --listen "127.0.0.1:$PORT" --token "$TOKEN" > "$OUT/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/scim/v2/ServiceProviderConfig" >/dev/null && break
  sleep 0.1
done
( start=$(date +%s)
  while kill -0 "$SERVE" 2>/dev/null; do
    echo "$(( $(date +%s) - start )) $(awk '/VmRSS/{print $2}' "/proc/$SERVE/status")"
    sleep 10
  done ) > "$OUT/rss-kib.txt" &
SAMPLER=$!
set +e
"$BIN" load --scenario bench/sustained.toml --target "http://127.0.0.1:$PORT/scim/v2" \
  --token "$TOKEN" --duration "${MINUTES}m" --report-dir "$OUT/load" > "$OUT/load.log" 2>&1
CODE=$?
set -e
kill "$SERVE" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
python3 - "$OUT" "$CODE" <<'PY'
import json, sys
out, code = sys.argv[1], int(sys.argv[2])
r = json.load(open(f"{out}/load/report.json"))
l = r["load"]
rss = [tuple(map(int, line.split())) for line in open(f"{out}/rss-kib.txt") if len(line.split()) == 2]
warm = [kib for t, kib in rss if t >= 60]
print(f"sustained {l['duration_s']:.0f} s, {l['users']} users: {l['requests']:,} requests, "
      f"{l['rps']:,.0f} req/s, {l['errors']} errors (exit {code})")
for o in l["operations"]:
    print(f"  {o['op']:<28} p50 {o['p50_ms']:.2f} ms  p95 {o['p95_ms']:.2f} ms  p99 {o['p99_ms']:.2f} ms")
if warm:
    first, last, top = warm[0] / 1024, warm[-1] / 1024, max(warm) / 1024
    print(f"provider RSS after 1 min {first:.0f} MiB, at the end {last:.0f} MiB, max {top:.0f} MiB "
          f"({(last - first) / first * 100:+.1f}% over the run after warm-up)")
print(f"samples: {out}/rss-kib.txt, report: {out}/load/")
PY
