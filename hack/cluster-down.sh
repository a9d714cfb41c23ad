#!/usr/bin/env bash
# Stops everything hack/cluster-up.sh started and removes .cluster/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

cluster_dir="$repo_root/.cluster"
if [[ -f "$cluster_dir/envtest/pids" ]]; then
  mapfile -t pids <"$cluster_dir/envtest/pids"
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
fi
bin_dir="$(control_plane_bin_dir)"
if [[ -x "$bin_dir/kwokctl" && -d "$cluster_dir/kwok" ]]; then
  KWOK_WORKDIR="$cluster_dir/kwok" "$bin_dir/kwokctl" --name fintrack delete cluster >/dev/null 2>&1 || true
fi
stop_strays "$cluster_dir/kwok"
rm -rf "$cluster_dir"
log "cluster removed"
