# shellcheck shell=bash
# What hack/node-up.sh and hack/node-down.sh share: the real node's names, addresses and folders,
# and how its daemons are started and stopped. Sourced after hack/lib.sh and versions.env.

node_name=fintrack-node
# The node's InternalIP, on `lo`: pods reach it through their bridge's gateway, the host locally.
node_ip=10.255.0.1
node_bridge=fintrack0
node_pod_cidr=10.244.0.0/24
node_pod_gateway=10.244.0.1
# cluster-up.sh serves 10.96.0.0/16; CoreDNS takes the tenth address, as kubeadm does.
node_dns_ip=10.96.0.10
node_dir="$repo_root/.cluster/node"
node_run_dir=/run/fintrack-node
cluster_kubeconfig="$repo_root/.cluster/kubeconfig"
# The image names of hack/base-images.sh that the node itself needs.
pause_image="fintrack.local/pause:3.10"
addons_image="fintrack.local/node-addons:dev"
helper_image="fintrack.local/debian:bookworm"
# hack/monitoring-up.sh's images, of the binaries hack/build-monitoring.sh builds.
prometheus_image="fintrack.local/prometheus:$PROMETHEUS_VERSION"
config_reloader_image="fintrack.local/prometheus-config-reloader:$PROMETHEUS_OPERATOR_VERSION"

kubectl() { "$(control_plane_bin_dir)/kubectl" --kubeconfig "$cluster_kubeconfig" "$@"; }
ctr_k8s() { ctr --address "$node_run_dir/containerd.sock" --namespace k8s.io "$@"; }

# True when node-up finished and the kubelet still runs.
node_running() {
  [[ -f "$node_dir/up" ]] && daemon_alive kubelet
}

daemon_alive() {
  local pid
  pid="$(cat "$node_dir/pids/$1" 2>/dev/null)" || return 1
  kill -0 "$pid" 2>/dev/null
}

# Starts daemon $1 (the rest: its command line) in the background, its log in logs/$1.log.
start_daemon() {
  local name="$1"
  shift
  # setsid: a new session, so that a Ctrl+C in the caller's terminal does not stop the node.
  setsid "$@" >"$node_dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$node_dir/pids/$name"
  sleep 0.5
  daemon_alive "$name" || {
    tail -n 30 "$node_dir/logs/$name.log" >&2
    die "$name exited at once; its log: $node_dir/logs/$name.log"
  }
}

# Stops daemon $1 (its binary's name): SIGTERM, up to $2 seconds (default 20), then SIGKILL.
stop_daemon() {
  local pid
  pid="$(cat "$node_dir/pids/$1" 2>/dev/null)" || return 0
  stop_pid "$pid" "$1" "$1" "${2:-20}"
  rm -f "$node_dir/pids/$1"
}

# Runs the command $3... until it succeeds, at most $2 seconds; dies naming $1 otherwise.
wait_for() {
  local what="$1" seconds="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "timed out after ${seconds}s waiting for $what"
}

# The add-ons that run as pods: CoreDNS, metrics-server, the local-path provisioner.
apply_addons() {
  sed -e "s|@ADDONS_IMAGE@|$addons_image|g" -e "s|@HELPER_IMAGE@|$helper_image|g" \
    -e "s|@DNS_IP@|$node_dns_ip|g" -e "s|@VOLUMES@|$node_dir/volumes|g" \
    "$repo_root/hack/node/addons.yaml" | kubectl apply --server-side -f - >/dev/null
}

# The image builder of hack/docker-up.sh, which keeps to its own socket.
export DOCKER_HOST="${DOCKER_HOST:-unix:///run/fintrack-docker/docker.sock}"
docker_running() { docker info >/dev/null 2>&1; }

# After a run that started daemons: removes /run/containerd when the host had none before (its
# snapshot, hack/node/host-state.sh's, in BEFORE) and no socket is left in it, since containerd's
# shims keep their sockets in /run/containerd/s whatever their state folder; then fails, printing
# the difference, unless the host is as BEFORE says. WHAT names the run in the message.
host_as_before() {
  local before="$1" what="$2" diff_file="$1.diff"
  if ! grep -qx /run/containerd "$before" && [[ -z "$(find /run/containerd -type s 2>/dev/null)" ]]; then
    rm -rf /run/containerd
  fi
  if ! diff "$before" <("$repo_root/hack/node/host-state.sh") >"$diff_file"; then
    cat "$diff_file" >&2
    log "the host differs from before $what (above: < before, > now)"
    return 1
  fi
}
