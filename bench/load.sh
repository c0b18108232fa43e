#!/usr/bin/env bash
# scimtest load vs wrk, in one run, against the same reference provider (`scimtest serve`):
# GET /Users/{id} and POST /Users at the same connection count (wrk -c N = N goose users),
# printing both req/s, the ratio, and scimtest load's CPU time per 1,000 requests.
#
# Usage: bench/load.sh [CONNECTIONS=32] [SECONDS=10] [ROUNDS=3]
# Needs: wrk (apt-get install wrk), a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
C="${1:-32}"; SECS="${2:-10}"; ROUNDS="${3:-3}"
BIN=target/release/scimtest
[ -x "$BIN" ] || cargo build --release
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
WORK="$(mktemp -d)"; trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=18770; TOKEN="bench-$RANDOM$RANDOM"
"$BIN" serve --listen "127.0.0.1:$PORT" --token "$TOKEN" --seed-users 1 >/dev/null 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT/scim/v2"
for _ in $(seq 1 100); do curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/ServiceProviderConfig" && break; sleep 0.1; done
ID="$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/Users?count=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Resources"][0]["id"])')"

cat >"$WORK/post.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"wrk-' .. n .. '-' .. math.random(1, 1e9) .. '@bench.example","active":true}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/scim+json", ["Authorization"] = "Bearer $TOKEN"}, body)
end
LUA
scenario() { # name op
  cat >"$WORK/$1.toml" <<TOML
name = "bench-$1"
description = "benchmark: $2 only"
modelled_on = "bench/load.sh"
[run]
users = $C
ramp = "0s"
duration = "${SECS}s"
timeout = "10s"
[data]
users = 1
[[operation]]
name = "$2"
TOML
}
scenario get get-user
scenario post create-user

wrk_rps() { awk '/Requests\/sec/ {print $2}'; }
load_run() { # scenario -> "rps cpu"
  "$BIN" load --scenario "$WORK/$1.toml" --no-correctness --target "$BASE" --token "$TOKEN" \
    --report-dir "$WORK/r-$1" >/dev/null 2>&1 || true
  python3 - "$WORK/r-$1/report.json" <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))["load"]
print(l["rps"], l.get("cpu_ms_per_1000", "n/a"))
PY
}
printf '%-6s %-5s %12s %12s %7s %16s\n' endpoint round "wrk req/s" "load req/s" ratio "load CPU ms/1k"
for r in $(seq 1 "$ROUNDS"); do
  W="$(wrk -t1 -c"$C" -d"${SECS}s" -H "Authorization: Bearer $TOKEN" "$BASE/Users/$ID" | wrk_rps)"
  read -r L CPU < <(load_run get)
  printf '%-6s %-5s %12.0f %12.0f %7.2f %16s\n' GET "$r" "$W" "$L" "$(python3 -c "print($L/$W)")" "$CPU"
  W="$(wrk -t1 -c"$C" -d"${SECS}s" -s "$WORK/post.lua" "$BASE/Users" | wrk_rps)"
  read -r L CPU < <(load_run post)
  printf '%-6s %-5s %12.0f %12.0f %7.2f %16s\n' POST "$r" "$W" "$L" "$(python3 -c "print($L/$W)")" "$CPU"
done
