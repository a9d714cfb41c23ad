#!/usr/bin/env bash
# Joins a real node to the local control plane (hack/cluster-up.sh), so that pods run in real
# containers: Debian's containerd, runc and CNI plugins, a kubelet and kube-proxy built from the
# control plane's Kubernetes module, kube-router enforcing NetworkPolicies, and as pods CoreDNS,
# metrics-server and the local-path provisioner (StorageClass `standard`, the default while the
# node is up). kwok's fake nodes are cordoned, so new pods land on the real one.
#
# Everything it changes on the host is undone by hack/node-down.sh, which compares the host with
# the snapshot taken here (hack/node/host-state.sh) and fails on any difference. The node's address
# lives on `lo`; the pods' bridge is fintrack0 (10.244.0.0/24); nothing is routed off the machine.
# Images are never pulled: they must be loaded first (hack/node-load-images.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"

started=$SECONDS
[[ "$(id -u)" == 0 ]] || die "a real node needs root (containerd, kubelet, iptables)"
[[ -f "$repo_root/.cluster/mode" ]] || die "start the control plane first: make cluster-up"
kubectl get --raw /readyz >/dev/null || die "the control plane at $cluster_kubeconfig does not answer"
if node_running; then
  log "the real node is already up ($node_name)"
  exit 0
fi

"$here/install-node-packages.sh"
"$here/build-node.sh"
bin="$(node_bin_dir)"

rm -rf "$node_dir" && mkdir -p "$node_dir"/{logs,pids,cni,kubelet,volumes,containerd}
# The host as it is before anything of the node, the image builder included, starts.
"$here/node/host-state.sh" >"$node_dir/host-before"
mkdir -p "$node_run_dir"
sysctl -a 2>/dev/null | sort >"$node_dir/sysctl-before"
nft list tables 2>/dev/null >"$node_dir/nft-tables-before" || true

# Docker only builds the images; node-down stops it again when node-up started it.
if ! docker_running; then
  "$here/docker-up.sh"
  touch "$node_dir/started-docker"
fi
"$here/base-images.sh"
"$here/node/addons-image.sh"

log "node address $node_ip on lo"
ip addr add "$node_ip/32" dev lo

log "starting containerd ($(containerd --version | awk '{print $3}'))"
cat >"$node_dir/containerd/config.toml" <<TOML
version = 2
root = "$node_dir/containerd/root"
state = "$node_run_dir/containerd"
# Only the overlay snapshotter exists here; the others would log errors at every start.
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$node_run_dir/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$node_dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  # Built locally (hack/base-images.sh) and loaded with the others: nothing is ever pulled.
  sandbox_image = "$pause_image"
  # Without it every sandbox dies with "can't get final child's PID from pipe: EOF" here.
  restrict_oom_score_adj = true
  disable_apparmor = true
  tolerate_missing_hugetlb_controller = true
  disable_hugetlb_controller = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        # runc's state beside containerd's, not in /run/containerd/runc.
        Root = "$node_run_dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node_dir/cni"
TOML
cat >"$node_dir/cni/10-fintrack.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "fintrack",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$node_bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$node_dir/cni/ipam",
        "ranges": [[{ "subnet": "$node_pod_cidr", "gateway": "$node_pod_gateway" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
start_daemon containerd containerd --config "$node_dir/containerd/config.toml"
wait_for "containerd's socket" 30 test -S "$node_run_dir/containerd.sock"

"$here/node-load-images.sh" "$pause_image" "$addons_image" "$helper_image"

log "starting the kubelet and kube-proxy ($K8S_VERSION)"
# The kubelet's own cgroup hierarchy (cgroupRoot below) must exist under every controller first.
for controller in /sys/fs/cgroup/*/; do
  mkdir -p "$controller/fintrack-node"
  if [[ -f "$controller/cpuset.cpus" ]]; then
    cat "$controller/cpuset.cpus" >"$controller/fintrack-node/cpuset.cpus"
    cat "$controller/cpuset.mems" >"$controller/fintrack-node/cpuset.mems"
  fi
done
# An empty resolv.conf: pods resolve cluster names only; nothing may leave the machine.
: >"$node_dir/resolv.conf"
cat >"$node_dir/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The machine runs cgroup v1 and cannot switch.
failCgroupV1: false
cgroupDriver: cgroupfs
# Our own hierarchy under each cgroup root, removed again by hack/node-down.sh.
cgroupRoot: /fintrack-node
failSwapOn: false
containerRuntimeEndpoint: unix://$node_run_dir/containerd.sock
clusterDNS: [$node_dns_ip]
clusterDomain: cluster.local
resolvConf: $node_dir/resolv.conf
# The node listens on loopback addresses only; the API server and metrics-server call it.
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
readOnlyPort: 0
podLogsDir: $node_dir/pod-logs
staticPodPath: ""
# A shared disk: the default thresholds could evict tenants for the host's files.
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
serializeImagePulls: false
maxPods: 110
YAML
start_daemon kubelet "$bin/kubelet" \
  --config "$node_dir/kubelet.yaml" \
  --kubeconfig "$cluster_kubeconfig" \
  --root-dir "$node_dir/kubelet" \
  --hostname-override "$node_name" \
  --node-ip "$node_ip" \
  --node-labels "topology.kubernetes.io/zone=zone-real,fintrack.dev/real-node=true"
wait_for "node $node_name to register" 60 kubectl get node "$node_name"

cat >"$node_dir/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: 10.244.0.0/16
hostnameOverride: $node_name
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# Leave the host's conntrack table sizes and route_localnet as they are.
conntrack: {maxPerCore: 0, min: 0}
iptables: {localhostNodePorts: false}
nodePortAddresses: [$node_ip/32]
clientConnection: {kubeconfig: $cluster_kubeconfig}
YAML
start_daemon kube-proxy "$bin/kube-proxy" --config "$node_dir/kube-proxy.yaml"

log "cordoning kwok's fake nodes: new pods go to the real node"
for fake in $(kubectl get nodes -l type=kwok -o name); do kubectl cordon "$fake" >/dev/null; done

log "starting kube-router (NetworkPolicy enforcement only)"
start_daemon kube-router "$bin/kube-router" \
  --kubeconfig "$cluster_kubeconfig" \
  --hostname-override "$node_name" \
  --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
  --metrics-port 0 --health-port 0 --v 1

kubectl annotate storageclass kwok-volume --overwrite \
  storageclass.kubernetes.io/is-default-class=false >/dev/null 2>&1 || true
log "deploying CoreDNS, metrics-server and the local-path provisioner"
apply_addons
kubectl wait --for=condition=Ready "node/$node_name" --timeout=120s >/dev/null
kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
kubectl -n kube-system rollout status deployment/local-path-provisioner --timeout=180s >/dev/null
kubectl -n kube-system rollout status deployment/metrics-server --timeout=180s >/dev/null
kubectl wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=120s >/dev/null
echo "$node_name" >"$node_dir/up"
log "real node $node_name up in $((SECONDS - started)) s (logs: $node_dir/logs)"
