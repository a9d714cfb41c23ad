#!/usr/bin/env bash
# Builds the binaries a real Kubernetes node needs to join the local control plane into the cache,
# once per set of pins: kubelet and kube-proxy, CoreDNS (cluster DNS), kube-router (NetworkPolicy),
# local-path-provisioner (volumes) and metrics-server. kubelet and kube-proxy build in the control
# plane's module graph (write_kubernetes_module in hack/lib.sh), so they reuse its Go build cache.
# All are static (no cgo), so they run on the host or in a minimal image alike.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

bin_dir="$(node_bin_dir)"
binaries=(kubelet kube-proxy coredns kube-router local-path-provisioner metrics-server)
pins="Kubernetes $K8S_VERSION, CoreDNS $COREDNS_VERSION, kube-router $KUBE_ROUTER_VERSION"
pins+=", local-path-provisioner $LOCAL_PATH_PROVISIONER_VERSION, metrics-server $METRICS_SERVER_VERSION"

missing=0
for b in "${binaries[@]}"; do [[ -x "$bin_dir/$b" ]] || missing=1; done
if [[ $missing == 0 ]]; then
  log "node binaries ($pins) already built in $bin_dir"
  exit 0
fi

command -v go >/dev/null || die "Go is needed to build the node binaries"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
partial="$bin_dir.partial"
rm -rf "$partial" && mkdir -p "$partial"

# go_install NAME PKG@VERSION [LDFLAGS]: builds a tool whose go.mod has no replace directives, so
# `go install` at its version (a throwaway module of its own) builds the graph upstream released.
go_install() {
  local started=$SECONDS
  log "building $1"
  (cd "$work" && GOBIN="$partial" go install -trimpath -ldflags "-s -w ${3:-}" "$2")
  log "built $1 in $((SECONDS - started)) s"
}

# CoreDNS from our own main.go: upstream's imports every plugin and with them every cloud SDK.
build_coredns() {
  local started=$SECONDS
  log "building coredns $COREDNS_VERSION"
  mkdir -p "$work/coredns"
  cp "$here/node/coredns/main.go" "$work/coredns/"
  (cd "$work/coredns" && go mod init fintrack.local/coredns \
    && go get "github.com/coredns/coredns@$COREDNS_VERSION" && go mod tidy \
    && go build -trimpath -ldflags "-s -w" -o "$partial/coredns" .)
  log "built coredns in $((SECONDS - started)) s"
}

build_kubelet() {
  local started=$SECONDS
  write_kubernetes_module "$work/k8s"
  log "building kubelet and kube-proxy $K8S_VERSION (~1 min after the control plane, ~9 min alone)"
  build_kubernetes "$work/k8s" "$partial/" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
  log "built kubelet and kube-proxy in $((SECONDS - started)) s"
}

build_coredns
go_install kube-router "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION" \
  "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
go_install local-path-provisioner \
  "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION" \
  "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"
go_install metrics-server "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION" \
  "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION"
build_kubelet

# Each binary must at least start and say what it is before the set is taken as built.
for b in "${binaries[@]}"; do
  flag=--version
  [[ $b == coredns ]] && flag=-version
  out="$("$partial/$b" "$flag" 2>&1)" || die "$b $flag failed: $out"
  log "$b: ${out%%$'\n'*}"
done

rm -rf "$bin_dir" && mv "$partial" "$bin_dir"
log "built into $bin_dir:"
ls -la "$bin_dir"
