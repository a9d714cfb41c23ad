# Shared helpers for hack/ scripts. Sourced, never run.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fintrack_cache="${FINTRACK_CACHE:-$HOME/.cache/fintrack}"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The folder holding the pinned control-plane binaries, keyed by every pin that goes into them.
control_plane_bin_dir() {
  echo "$fintrack_cache/control-plane/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION/bin"
}
