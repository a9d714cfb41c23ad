#!/usr/bin/env bash
# Stops the private Docker engine of hack/docker-up.sh and removes what it left at run time:
# its processes (by PID), mounts under its roots, its socket folder and cgroups. The images stay
# in the cache for the next run. Safe to run when nothing is up.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

run_dir=/run/fintrack-docker
data_root="$fintrack_cache/docker"
containerd_dir="$run_dir/containerd"

# Reads a PID file, printing nothing when it is missing or holds no number.
pid_in() {
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && echo "$pid"
  return 0
}

# dockerd stops its containers on the way down; containerd goes after it.
pid="$(pid_in "$run_dir/docker.pid")"
[[ -z "$pid" ]] || stop_pid "$pid" dockerd dockerd
pid="$(pid_in "$containerd_dir/containerd.pid")"
[[ -z "$pid" ]] || stop_pid "$pid" containerd containerd

# Shims outlive a killed containerd; ours are the ones given our containerd's address.
for cmdline in /proc/[0-9]*/cmdline; do
  if tr '\0' ' ' <"$cmdline" 2>/dev/null | grep -q -- "-address $containerd_dir/containerd.sock "; then
    pid="${cmdline#/proc/}"
    stop_pid "${pid%/cmdline}" "containerd shim" containerd-shim
  fi
done

# Deepest first, so nested mounts come off before their parents.
mounts() {
  findmnt -rn -o TARGET | grep -E "^($run_dir|$data_root)(/|$)" | sort -r || true
}
for target in $(mounts); do
  umount "$target" 2>/dev/null || umount -l "$target" || log "could not unmount $target"
done
[[ -z "$(mounts)" ]] || die "mounts are left under $run_dir or $data_root: $(mounts | tr '\n' ' ')"

rm -rf "$run_dir"
# The containers' cgroup parent (--cgroup-parent in docker-up.sh), empty once they are gone.
for dir in /sys/fs/cgroup/*/fintrack-docker /sys/fs/cgroup/fintrack-docker; do
  if [[ -d "$dir" ]]; then
    rmdir "$dir" 2>/dev/null || log "cgroup $dir is still in use"
  fi
done
# containerd's shims keep their sockets under /run/containerd/s whatever the daemon's state
# folder: remove the folders only when empty, since the system containerd may use them too.
rmdir /run/containerd/s /run/containerd 2>/dev/null || true
log "Docker engine down"
