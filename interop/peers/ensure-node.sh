#!/usr/bin/env bash
# Idempotently install the SCIMMY server's npm dependencies (node/package-lock.json, `npm ci`)
# into interop/.peers/node/node_modules, next to a copy of node/scimmy-server.mjs.
# Reinstalled only when package-lock.json changes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="$HERE/../.peers/node"
mkdir -p "$DIR"
if [ ! -d "$DIR/node_modules/scimmy-routers" ] || ! cmp -s "$HERE/node/package-lock.json" "$DIR/.package-lock.json"; then
  cp "$HERE/node/package.json" "$HERE/node/package-lock.json" "$DIR/"
  (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$HERE/node/package-lock.json" "$DIR/.package-lock.json"
fi
# Node resolves the script's imports from its own folder, so the script runs from there.
cp "$HERE/node/scimmy-server.mjs" "$DIR/scimmy-server.mjs"
