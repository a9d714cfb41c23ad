#!/usr/bin/env bash
# Copies images from the local image builder (hack/docker-up.sh) into the real node's containerd
# (hack/node-up.sh), which never pulls. containerd names an image as Docker Hub would
# (postgres:18-alpine is docker.io/library/postgres:18-alpine), so pods find them by the same names.
# Usage: hack/node-load-images.sh IMAGE...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"

[[ $# -gt 0 ]] || die "usage: $0 IMAGE..."
[[ -S "$node_run_dir/containerd.sock" ]] || die "the real node's containerd is not running (make node-up)"
started=$SECONDS
# Layers the node already holds are skipped by digest; only new content is written.
docker save "$@" | ctr_k8s images import - >/dev/null
log "loaded $* into the node in $((SECONDS - started)) s"
