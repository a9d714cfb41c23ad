#!/usr/bin/env bash
# Builds the real node's add-on image (CoreDNS, metrics-server, local-path-provisioner, as
# hack/build-node.sh built them) from nothing but the static binaries and a passwd file for the
# non-root user they run as. Rebuilt only when the binaries' pins change.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../versions.env
source "$here/versions.env"
# shellcheck source=../lib.sh
source "$here/lib.sh"
# shellcheck source=lib.sh
source "$here/node/lib.sh"

bin="$(node_bin_dir)"
pin="$(basename "$(dirname "$bin")")"
if [[ "$(docker image inspect -f '{{index .Config.Labels "dev.fintrack.pin"}}' "$addons_image" 2>/dev/null)" == "$pin" ]]; then
  log "$addons_image is built ($pin)"
  exit 0
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$bin/coredns" "$bin/metrics-server" "$bin/local-path-provisioner" "$root/"
printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
tar -C "$root" -c . | docker import --change "LABEL dev.fintrack.pin=$pin" --change "USER 65532:65532" - "$addons_image" >/dev/null
log "built $addons_image ($pin)"
