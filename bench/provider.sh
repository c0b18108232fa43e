#!/usr/bin/env bash
# Provider benchmark: our provider vs python-scim's scim2-server vs a canned axum endpoint (the
# loopback ceiling), driven by the same wrk settings, in one run on this machine.
#
#   bench/provider.sh            (DURATION=10s CONNS=8 SCALE_USERS=1000000 by default)
#   BIN=old/scimtest bench/provider.sh   benchmark another build of scimtest (e.g. the last
#                                        release, to compare with this one in the same session)
#
# Prints req/s and p99 per server and operation, the ratios, the userName-filter p99 at 1,000 and
# at SCALE_USERS stored users, and the provider's RSS holding SCALE_USERS users.
# Needs: wrk (Debian package), python3 (PyPI reachable for the pinned scim2-server), cargo.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-8}"
SCALE_USERS="${SCALE_USERS:-1000000}"
TOKEN="bench-token"
OUT="$HERE/out"
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

if [ -z "${BIN:-}" ] || [ -z "${CANNED:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet --bin scimtest --example canned)
fi
BIN="${BIN:-$ROOT/target/release/scimtest}"
CANNED="${CANNED:-$ROOT/target/release/examples/canned}"

VENV="$ROOT/interop/.venv-scim2"
if [ ! -x "$VENV/bin/scim2-server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r "$ROOT/interop/requirements-scim2-tester.txt"
  cp "$ROOT/interop/requirements-scim2-tester.txt" "$VENV/.requirements"
fi

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # URL
  for _ in $(seq 1 600); do
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$1/ServiceProviderConfig" && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2; exit 1
}
create_user() { # BASE USERNAME -> id
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' \
    -d "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$2\",\"name\":{\"givenName\":\"Bench\",\"familyName\":\"User\"},\"emails\":[{\"value\":\"$2@example.com\",\"type\":\"work\",\"primary\":true}]}" \
    "$1/Users" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

cat >"$OUT/post.lua" <<'LUA'
local n = 0
local prefix = tostring(os.time()) .. "-" .. tostring(math.random(1, 1e9))
request = function()
  n = n + 1
  local body = string.format('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"w%s-%d","name":{"givenName":"W","familyName":"Rk"},"emails":[{"value":"w%d@example.com","type":"work","primary":true}]}', prefix, n, n)
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/scim+json", ["Authorization"] = wrk.headers["Authorization"]}, body)
end
LUA

# wrk_run NAME URL [lua] -> prints "req/s p99_ms"
wrk_run() {
  local args=(-t1 "-c$CONNS" "-d$DURATION" --latency -H "Authorization: Bearer $TOKEN")
  [ -n "${3:-}" ] && args+=(-s "$3")
  wrk "${args[@]}" "$2" >"$OUT/$1.txt" 2>&1 || true
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$OUT/$1.txt")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $5}' "$OUT/$1.txt")
  echo "${rps:-0} ${p99:-0} ${non2xx:-0}"
}

declare -A RPS P99
bench_server() { # LABEL BASE
  local id; id=$(create_user "$2" "bench-get-$1")
  create_user "$2" "bench-filter-$1" >/dev/null
  for op in get post filter; do
    local url lua=""
    case $op in
      get) url="$2/Users/$id" ;;
      post) url="$2/Users"; lua="$OUT/post.lua" ;;
      filter) url="$2/Users?filter=userName%20eq%20%22bench-filter-$1%22" ;;
    esac
    read -r r p e < <(wrk_run "$1-$op" "$url" "$lua")
    RPS[$1-$op]=$r; P99[$1-$op]=$p
    printf '%-12s %-7s %10s req/s  p99 %8s ms  non-2xx %s\n' "$1" "$op" "$r" "$p" "$e"
  done
}

echo "== wrk -t1 -c$CONNS -d$DURATION on $(nproc) cores; server and wrk share them"
P=$(free_port); "$BIN" serve --listen "127.0.0.1:$P" --token "$TOKEN" >"$OUT/scimtest.log" 2>&1 & PIDS+=($!)
wait_up "http://127.0.0.1:$P/scim/v2"; bench_server scimtest "http://127.0.0.1:$P/scim/v2"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

P=$(free_port); "$VENV/bin/scim2-server" --hostname 127.0.0.1 --port "$P" --bearer-token "$TOKEN" >"$OUT/scim2-server.log" 2>&1 & PIDS+=($!)
wait_up "http://127.0.0.1:$P/v2"; bench_server scim2-server "http://127.0.0.1:$P/v2"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

P=$(free_port); "$CANNED" "127.0.0.1:$P" "$TOKEN" >"$OUT/canned.log" 2>&1 & PIDS+=($!)
sleep 0.3; read -r r p e < <(wrk_run canned-get "http://127.0.0.1:$P/scim/v2/Users/x")
RPS[canned-get]=$r; P99[canned-get]=$p
printf '%-12s %-7s %10s req/s  p99 %8s ms\n' canned get "$r" "$p"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

ratio() { python3 -c "a,b=float('$1'),float('$2'); print(f'{a/b:.1f}' if b else 'n/a')"; }
echo "== ratios"
for op in get post filter; do
  echo "scimtest / scim2-server  $op: $(ratio "${RPS[scimtest-$op]}" "${RPS[scim2-server-$op]}")x   (target >= 50x)"
done
echo "scimtest / canned        get: $(python3 -c "print(f'{float(\"${RPS[scimtest-get]}\")/float(\"${RPS[canned-get]}\"):.2f}')")   (target >= 0.6)"

echo "== userName filter p99 at 1,000 vs $SCALE_USERS stored users"
scale_run() { # N
  local p; p=$(free_port)
  "$BIN" serve --listen "127.0.0.1:$p" --token "$TOKEN" --seed-users "$1" >"$OUT/seed-$1.log" 2>&1 & PIDS+=($!)
  local pid=${PIDS[-1]}
  wait_up "http://127.0.0.1:$p/scim/v2"
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  read -r r p99 e < <(wrk_run "filter-$1" "http://127.0.0.1:$p/scim/v2/Users?filter=userName%20eq%20%22seed-$(( $1 / 2 ))%40example.com%22")
  echo "$1 users: filter $r req/s p99 $p99 ms; RSS $(( rss / 1024 )) MiB" >&2
  echo "$p99 $rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
read -r small_p99 small_rss < <(scale_run 1000)
read -r big_p99 big_rss < <(scale_run "$SCALE_USERS")
echo "p99 ratio ${SCALE_USERS}/1000: $(ratio "$big_p99" "$small_p99")   (target <= 1.5)"
echo "RSS with $SCALE_USERS users: $(( big_rss / 1024 )) MiB   (target <= 1024 MiB)"
