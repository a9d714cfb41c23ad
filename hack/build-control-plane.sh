#!/usr/bin/env bash
# Builds the local Kubernetes control plane from its Go modules into the cache, once per set of pins.
# Kubernetes' own go.mod points its ~33 staging modules at ./staging paths that are not in the module
# zip, so `go install k8s.io/kubernetes/cmd/...@v` cannot work; a throwaway module that replaces each
# staging module with its published v0.X.Y twin is the documented way around it.
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

minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
staging_version="v0.${K8S_VERSION#v1.}"

log "reading the staging module list from k8s.io/kubernetes@$K8S_VERSION"
(cd "$work" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >download.json)
gomod="$(sed -n 's/.*"GoMod": "\(.*\)",/\1/p' "$work/download.json")"
mapfile -t staging < <(sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod")
[[ ${#staging[@]} -gt 20 ]] || die "found only ${#staging[@]} staging modules in $gomod"

mkdir -p "$work/k8s"
{
  echo "module fintrack.local/controlplane"
  echo
  echo "go 1.26"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	$m => $m $staging_version"; done
  echo ")"
  echo
  echo "tool ("
  echo "	k8s.io/kubernetes/cmd/kube-apiserver"
  echo "	k8s.io/kubernetes/cmd/kube-controller-manager"
  echo "	k8s.io/kubernetes/cmd/kube-scheduler"
  echo "	k8s.io/kubernetes/cmd/kubectl"
  # etcd's main package: kubernetes already requires etcd $ETCD_VERSION, so MVS keeps that version.
  echo "	go.etcd.io/etcd/server/v3"
  echo ")"
} >"$work/k8s/go.mod"

log "resolving the module graph"
(cd "$work/k8s" && go mod tidy)
got_etcd="$(cd "$work/k8s" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
[[ "$got_etcd" == "$ETCD_VERSION" ]] || die "Kubernetes $K8S_VERSION resolves etcd $got_etcd, pin says $ETCD_VERSION"

ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

log "building Kubernetes $K8S_VERSION and etcd $ETCD_VERSION (a cold build takes a while on 2 cores)"
(cd "$work/k8s" && go build -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$staging_tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
(cd "$work/k8s" && go build -trimpath -ldflags "-s -w" -o "$staging_tmp/etcd" go.etcd.io/etcd/server/v3)

log "building kwok $KWOK_VERSION"
GOBIN="$staging_tmp" go install -trimpath -ldflags "-s -w" \
  "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"

rm -rf "$bin_dir" && mv "$staging_tmp" "$bin_dir"
copy_kwok_stages
log "built into $bin_dir:"
ls -la "$bin_dir"
