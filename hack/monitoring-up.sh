#!/usr/bin/env bash
# The Prometheus Operator for the real node (make e2e's monitoring step): builds it, its config
# reloader and Prometheus (hack/build-monitoring.sh, cached by pin), makes their two images from
# the static binaries alone (no registry), loads them into the node, and starts the operator as a
# host process beside the control plane, with the control plane's admin credentials (it runs no
# pod of its own, so it needs no RBAC of ours). The Prometheus it runs is a real pod on the node:
# the scenario's Prometheus object names the image this prints. hack/monitoring-down.sh stops it;
# hack/node-down.sh too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"

node_running || die "the real node is not running (make node-up)"
bin="$("$here/build-monitoring.sh")"

# An image of one static binary as its entrypoint, as the upstream images are: the Prometheus
# Operator gives Prometheus' container arguments only, and names the reloader's command
# (/bin/prometheus-config-reloader). Rebuilt when the binaries' pins change.
binary_image() {
  local image="$1" binary="$2" root
  if [[ "$(docker image inspect -f '{{index .Config.Labels "dev.fintrack.pin"}}' "$image" 2>/dev/null)" == "$(basename "$bin")" ]]; then
    return 0
  fi
  root="$(mktemp -d)"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$bin/$binary" "$root/bin/"
  printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | docker import --change "LABEL dev.fintrack.pin=$(basename "$bin")" \
    --change "USER 65534:65534" --change "ENTRYPOINT [\"/bin/$binary\"]" - "$image" >/dev/null
  rm -rf "$root"
  log "built $image"
}
binary_image "$prometheus_image" prometheus
binary_image "$config_reloader_image" prometheus-config-reloader
"$here/node-load-images.sh" "$prometheus_image" "$config_reloader_image"

if daemon_alive prometheus-operator; then
  log "the Prometheus Operator is running"
  exit 0
fi
# The operator has no --kubeconfig: it is given the admin kubeconfig's server and files.
view() { kubectl config view --minify -o "jsonpath={$1}"; }
mkdir -p "$node_dir/logs" "$node_dir/pids"
start_daemon prometheus-operator "$bin/prometheus-operator" \
  --apiserver="$(view '.clusters[0].cluster.server')" \
  --ca-file="$(view '.clusters[0].cluster.certificate-authority')" \
  --cert-file="$(view '.users[0].user.client-certificate')" \
  --key-file="$(view '.users[0].user.client-key')" \
  --prometheus-config-reloader="$config_reloader_image" \
  --prometheus-instance-namespaces=monitoring \
  --web.listen-address=127.0.0.1:18090
wait_for "the Prometheus Operator to serve" 60 curl -sf -o /dev/null http://127.0.0.1:18090/healthz
log "the Prometheus Operator runs (log: $node_dir/logs/prometheus-operator.log)"
echo "$prometheus_image"
