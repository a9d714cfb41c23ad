#!/usr/bin/env bash
# Starts the local Kubernetes control plane on loopback and writes .cluster/kubeconfig.
# Full mode (default): etcd, kube-apiserver (RBAC + PodSecurity admission), kube-controller-manager,
# kube-scheduler and kwok with fake nodes, run by `kwokctl --runtime binary` from binaries built by
# hack/build-control-plane.sh. API-only mode: when KUBEBUILDER_ASSETS points at envtest binaries,
# hack/envtest-up.sh starts just etcd and kube-apiserver.
# Idempotent: a running, healthy cluster is reused.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"

cluster_dir="$repo_root/.cluster"
kubeconfig="$cluster_dir/kubeconfig"
mkdir -p "$cluster_dir/bin"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  exec "$here/envtest-up.sh"
fi

started=$SECONDS
"$here/build-control-plane.sh"
bin_dir="$(control_plane_bin_dir)"
stage_dir="$(dirname "$bin_dir")/stages"
ln -sfn "$bin_dir/kubectl" "$cluster_dir/bin/kubectl"
kubectl() { "$bin_dir/kubectl" --kubeconfig "$kubeconfig" "$@"; }

export KWOK_WORKDIR="$cluster_dir/kwok"
export KWOK_KUBECTL_BINARY="$bin_dir/kubectl"
kwokctl() { "$bin_dir/kwokctl" --name fintrack "$@"; }

if [[ -f "$cluster_dir/mode" ]] && kubectl get --raw /readyz >/dev/null 2>&1; then
  log "cluster already running ($(cat "$cluster_dir/mode") mode): $kubeconfig"
  "$here/install-crds.sh" --apply >/dev/null
  exit 0
fi
if kwokctl get clusters 2>/dev/null | grep -qx fintrack; then
  log "removing a stopped or unhealthy cluster before starting afresh"
  kwokctl delete cluster >/dev/null 2>&1 || true
fi
stop_strays "$cluster_dir/kwok"
rm -f "$cluster_dir/mode" "$kubeconfig"

# kwokctl reads Stage objects from its config; giving any replaces its built-in node and pod stages,
# so the config carries those plus the volume stages that make PVCs bind. Job pods end through the
# repo's own stages in hack/kwok/ instead of kwok's pod-complete: they play the backup program's
# result line, and fail where the real program would (a bucket endpoint under .invalid).
config="$cluster_dir/kwok.yaml"
{
  # Ready for a real node (hack/node-up.sh): the serving certificate also covers the addresses
  # its pods and kubelet use (the `kubernetes` Service's IP and the node's own), the API server
  # advertises the node's address to in-cluster clients and reaches kubelets at their InternalIP,
  # and kwok plays only its fake nodes (annotated kwok.x-k8s.io/node), never the real node's pods.
  # Extra args go here, not on the command line, where kwokctl v0.8.0 mixes up their components.
  cat <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  kubeApiserverCertSANs: ["10.96.0.1", "$node_ip"]
componentsPatches:
  - name: kube-apiserver
    extraArgs:
      - {key: service-cluster-ip-range, value: 10.96.0.0/16}
      - {key: advertise-address, value: "$node_ip"}
      - {key: kubelet-preferred-address-types, value: InternalIP}
  - name: kwok-controller
    extraArgs:
      - {key: manage-all-nodes, value: "false"}
      - {key: manage-nodes-with-annotation-selector, value: kwok.x-k8s.io/node}
YAML
  for f in "$stage_dir"/*.yaml "$here"/kwok/*.yaml; do
    case "$f" in "$stage_dir"/storage-class.yaml | "$stage_dir"/pod-complete.yaml) continue ;; esac
    echo "---"
    cat "$f"
  done
} >"$config"

log "starting the control plane (Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION)"
kwokctl create cluster \
  --runtime binary \
  --config "$config" \
  --kubeconfig "$kubeconfig" \
  --etcd-binary "$bin_dir/etcd" \
  --kube-apiserver-binary "$bin_dir/kube-apiserver" \
  --kube-controller-manager-binary "$bin_dir/kube-controller-manager" \
  --kube-scheduler-binary "$bin_dir/kube-scheduler" \
  --kwok-controller-binary "$bin_dir/kwok" \
  --kube-authorization=true \
  --kube-admission=true \
  --disable-qps-limits \
  --wait 90s >"$cluster_dir/kwokctl.log" 2>&1 || {
  tail -40 "$cluster_dir/kwokctl.log" >&2
  die "kwokctl could not start the cluster; component logs are in $KWOK_WORKDIR/clusters/fintrack/logs"
}

kubectl config use-context kwok-fintrack >/dev/null
kubectl apply -f "$stage_dir/storage-class.yaml" >/dev/null
# Let claims grow, as a real CSI StorageClass would: the operator's volume growth is tested on it.
kubectl patch storageclass kwok-volume --type merge -p '{"allowVolumeExpansion": true}' >/dev/null
"$here/fake-nodes.sh" "$kubeconfig" "$bin_dir/kubectl" 3
kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null
# The real Prometheus Operator, Argo CD and cert-manager CRDs, which the tests validate against.
"$here/install-crds.sh" --apply >/dev/null
echo full >"$cluster_dir/mode"
log "cluster ready in $((SECONDS - started)) s: kubeconfig $kubeconfig, kubectl $cluster_dir/bin/kubectl"
