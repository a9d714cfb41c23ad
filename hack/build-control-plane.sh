#!/usr/bin/env bash
# Builds the local Kubernetes control plane from its Go modules into the cache, once per set of pins.
# The Kubernetes binaries come from the throwaway module write_kubernetes_module (hack/lib.sh) writes,
# the one hack/build-node.sh builds the kubelet in.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

bin_dir="$(control_plane_bin_dir)"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl)

stage_dir="$(dirname "$bin_dir")/stages"

# kwok's stage files (fake node and pod life cycles, volume binding) ship inside its module; kwokctl
# embeds only the node and pod ones, and we need the volume ones too, so keep a copy beside the binaries.
copy_kwok_stages() {
  [[ -f "$stage_dir/.complete" ]] && return 0
  local src
  src="$(cd /tmp && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
    | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [[ -d "$src/kustomize/stage" ]] || die "kwok $KWOK_VERSION module has no kustomize/stage folder"
  rm -rf "$stage_dir" && mkdir -p "$stage_dir"
  cp "$src"/kustomize/stage/node/fast/node-initialize.yaml \
    "$src"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    "$src"/kustomize/stage/pod/fast/pod-{ready,complete,delete}.yaml \
    "$src"/kustomize/stage/volume/fast/{pv-bind,pv-delete,pvc-provision,pvc-delete,storage-class}.yaml \
    "$stage_dir/"
  chmod 644 "$stage_dir"/*.yaml
  touch "$stage_dir/.complete"
}

missing=0
for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || missing=1; done
if [[ $missing == 0 ]]; then
  copy_kwok_stages
  log "control plane $K8S_VERSION (etcd $ETCD_VERSION, kwok $KWOK_VERSION) already built in $bin_dir"
  exit 0
fi

command -v go >/dev/null || die "Go is needed to build the control plane (or set KUBEBUILDER_ASSETS to envtest binaries)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
staging_tmp="$bin_dir.partial"
rm -rf "$staging_tmp" && mkdir -p "$staging_tmp"

write_kubernetes_module "$work/k8s"
got_etcd="$(cd "$work/k8s" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
[[ "$got_etcd" == "$ETCD_VERSION" ]] || die "Kubernetes $K8S_VERSION resolves etcd $got_etcd, pin says $ETCD_VERSION"

log "building Kubernetes $K8S_VERSION and etcd $ETCD_VERSION (a cold build takes a while on 2 cores)"
build_kubernetes "$work/k8s" "$staging_tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
(cd "$work/k8s" && go build -trimpath -ldflags "-s -w" -o "$staging_tmp/etcd" go.etcd.io/etcd/server/v3)

log "building kwok $KWOK_VERSION"
GOBIN="$staging_tmp" go install -trimpath -ldflags "-s -w" \
  "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"

rm -rf "$bin_dir" && mv "$staging_tmp" "$bin_dir"
copy_kwok_stages
log "built into $bin_dir:"
ls -la "$bin_dir"
