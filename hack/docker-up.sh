#!/usr/bin/env bash
# Starts a private Docker engine (Debian's docker.io) for building and trying the images, and
# prints `export DOCKER_HOST=...` for `eval "$(hack/docker-up.sh)"`. Reuses one already running.
#
# It must leave the host as it found it: no iptables rules or FORWARD policy (Docker's default
# DROP broke pod traffic on a real node), no bridge, no IP forwarding; its own containerd, so it
# never shares state with the system containerd a kubelet may be using at
# /run/containerd/containerd.sock; images persist in the cache, so warm runs skip rebuilding the
# base images. Containers can only use `--network host` (or none): build with
# `DOCKER_BUILDKIT=0 docker build --network host`. hack/docker-down.sh stops it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

run_dir=/run/fintrack-docker
sock="$run_dir/docker.sock"
data_root="$fintrack_cache/docker"
containerd_dir="$run_dir/containerd"
log_dir="$fintrack_cache/logs"

[[ "$(id -u)" == 0 ]] || die "run as root: the engine mounts overlay filesystems"
export DOCKER_HOST="unix://$sock"

if docker info >/dev/null 2>&1; then
  log "reusing the Docker engine at $sock"
  echo "export DOCKER_HOST=$DOCKER_HOST"
  exit 0
fi

packages=(docker.io containerd runc iptables)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps the packages' postinst from starting the system-wide docker and containerd
  # services: this script starts private ones.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A dead engine's leftovers (pid files, sockets, mounts) would confuse the new one.
if [[ -d "$run_dir" ]]; then
  log "cleaning up after an engine that is no longer running"
  "$here/docker-down.sh"
fi
mkdir -p "$run_dir" "$containerd_dir" "$data_root/containerd" "$log_dir"
chmod 0710 "$run_dir"

# dockerd would attach to the system containerd whenever /run/containerd/containerd.sock exists,
# so it gets its own, with every path (sockets, root, state, opt) under ours.
cat >"$containerd_dir/config.toml" <<EOF
version = 2
root = "$data_root/containerd"
state = "$containerd_dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$containerd_dir/containerd.sock"
[ttrpc]
  address = "$containerd_dir/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$data_root/containerd/opt"
EOF
# An empty configuration file, so a host's /etc/docker/daemon.json cannot change these settings.
echo '{}' >"$run_dir/daemon.json"

started=$SECONDS
# setsid: the daemons outlive this script and the shell job that ran it. The inner shell writes
# its own PID, which exec hands to containerd (it has no --pidfile).
# shellcheck disable=SC2016
setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$containerd_dir/containerd.pid" \
  containerd --config "$containerd_dir/config.toml" \
  </dev/null >>"$log_dir/containerd.log" 2>&1 &
for _ in $(seq 100); do
  ctr --address "$containerd_dir/containerd.sock" version >/dev/null 2>&1 && break
  sleep 0.2
done
ctr --address "$containerd_dir/containerd.sock" version >/dev/null 2>&1 ||
  die "containerd did not start; see $log_dir/containerd.log"

setsid dockerd \
  --config-file "$run_dir/daemon.json" \
  --data-root "$data_root" \
  --exec-root "$run_dir/exec" \
  --pidfile "$run_dir/docker.pid" \
  --host "unix://$sock" \
  --containerd "$containerd_dir/containerd.sock" \
  --cgroup-parent /fintrack-docker \
  --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
  </dev/null >>"$log_dir/dockerd.log" 2>&1 &
for _ in $(seq 150); do
  docker info >/dev/null 2>&1 && break
  sleep 0.2
done
docker info >/dev/null 2>&1 || die "dockerd did not start; see $log_dir/dockerd.log"
log "Docker engine up at $sock in $((SECONDS - started)) s (data in $data_root)"
echo "export DOCKER_HOST=$DOCKER_HOST"
