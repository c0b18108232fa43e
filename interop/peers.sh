#!/usr/bin/env bash
# Interop against real SCIM servers: scimtest's own verdicts, audited.
#   interop/peers.sh [path/to/scimtest]      (default: target/debug/scimtest, built if missing)
# Installs (once, pinned) and starts, one after the other on 127.0.0.1 and a free port:
#   scim2-server 0.8.3 (PyPI), SCIMMY 1.3.5 + scimmy-routers 1.3.2 (npm), django-scim2 0.23.0 (PyPI);
# runs `scimtest check`, `scimtest replay`, `scimtest certify` and a `replay --config` of
# examples/users-only-crd.toml (which must provision) against each, lists what the runs left behind
# (Users/Groups named scimtest-*), stops the server whatever happens, then compares the failing
# check ids, their levels and outcomes and the replay verdicts with the reviewed expectation files
# interop/expected/<server>.toml (interop/peers_expect.py). Exit 1 on any difference.
# Reports: interop/.peers/reports/<server>/{check,replay}/, leftovers.json, *.log.
# PEERS="scimmy" limits the run to some servers.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN="${1:-$ROOT/target/debug/scimtest}"
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --quiet)
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
PY="${PYTHON:-python3}"
P="$HERE/peers"
REPORTS="$HERE/.peers/reports"
read -r -a SERVERS <<<"${PEERS:-scim2-server scimmy django-scim2}"

PIDFILES=()
cleanup() { for f in "${PIDFILES[@]}"; do [ ! -f "$f" ] || "$P/stop-peer.sh" "$f" || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
# First install: pip and npm at the same time.
"$P/ensure-node.sh" &
NODE_INSTALL=$!
"$P/ensure-venv.sh"
wait "$NODE_INSTALL"
echo "== peers installed or up to date ($((SECONDS - t0)) s)"

status=0
for name in "${SERVERS[@]}"; do
  ts=$SECONDS
  out="$REPORTS/$name"
  rm -rf "$out"
  mkdir -p "$out"
  token="peers-$RANDOM$RANDOM"
  started="$("$P/start-$name.sh" "" "$token")"
  url="$(sed -n 's/^BASE_URL=//p' <<<"$started")"
  pidfile="$(sed -n 's/^PIDFILE=//p' <<<"$started")"
  PIDFILES+=("$pidfile")
  echo "== $name at $url"
  for cmd in check replay certify; do
    rc=0
    # The peers are interpreted servers on a 2-core CI machine: groups.patch.large-member-add
    # creates 1,000 users (18 s against scim2-server when idle, over the default 30 s check
    # budget of 3 x --timeout when the machine is busy). A longer budget is no verdict change.
    extra=()
    [ "$cmd" = check ] && extra=(--timeout 30s)
    "$BIN" "$cmd" --target "$url" --token "$token" "${extra[@]}" --report-dir "$out/$cmd" >"$out/$cmd.log" 2>&1 || rc=$?
    # 0: all passed, 1: a MUST failed / would break: both are verdicts the comparison judges.
    # Anything else means scimtest could not run (usage, harness, unreachable, nothing ran).
    if [ "$rc" -gt 1 ]; then
      echo "scimtest $cmd against $name exited $rc (no verdict); log:"; cat "$out/$cmd.log"; status=1
    fi
    echo "   scimtest $cmd: exit $rc, $(tail -n 1 "$out/$cmd.log")"
  done
  # As a users-only customer configures Entra (examples/users-only-crd.toml): every peer
  # provisions users, so anything but "would provision with this configuration" is a regression.
  rc=0
  "$BIN" replay --config "$ROOT/examples/users-only-crd.toml" --target "$url" --token "$token" \
    --report-dir "$out/replay-config" >"$out/replay-config.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "scimtest replay --config examples/users-only-crd.toml against $name exited $rc; log:"; cat "$out/replay-config.log"; status=1
  fi
  echo "   scimtest replay --config examples/users-only-crd.toml: exit $rc, $(grep -m1 "IdP profiles would provision" "$out/replay-config.log")"
  reports=()
  while IFS= read -r f; do reports+=(--report "$f"); done < <(find "$out/check" "$out/replay" "$out/replay-config" "$out/certify" -name report.json 2>/dev/null)
  "$PY" "$HERE/peers_leftovers.py" "$url" --token "$token" "${reports[@]}" >"$out/leftovers.json" || status=1
  "$P/stop-peer.sh" "$pidfile" 2>/dev/null
  echo "   $name done in $((SECONDS - ts)) s"
done

echo "== compare with interop/expected/"
"$PY" "$HERE/peers_expect.py" --reports "$REPORTS" --summary-md "${SERVERS[@]}" || status=1
echo "== peers step: $((SECONDS - t0)) s"
exit $status
