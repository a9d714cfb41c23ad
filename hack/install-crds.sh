#!/usr/bin/env bash
# Fetches the real CustomResourceDefinitions of the third-party projects fintrack works with, from
# their Go modules (no build: the YAML is read from the module cache), into the cache once per pin,
# and prints the folder. With --apply, also installs them (server-side, idempotent) into the local
# control plane and waits until they are served: hack/cluster-up.sh and the operator integration
# tests' global setup do this, so every test sees the same cluster.
#   prometheus-operator/  monitoring.coreos.com: ServiceMonitor, PrometheusRule, ...
#   argo-cd/              argoproj.io: Application, ApplicationSet, AppProject
#   cert-manager/         cert-manager.io, acme.cert-manager.io: Certificate, Issuer, ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

apply=false
case "${1:-}" in
  --apply) apply=true ;;
  "") ;;
  *) die "usage: $0 [--apply]" ;;
esac

key="prometheus-operator-$PROMETHEUS_OPERATOR_VERSION-argo-cd-$ARGO_CD_VERSION"
key+="-cert-manager-$CERT_MANAGER_VERSION"
dir="$fintrack_cache/crds/$key"

# The module's folder in the Go module cache, downloaded when missing.
module_dir() {
  local module="$1" found
  # Outside the repo, so that no go.mod or go.work around it is consulted.
  found="$(cd "$fintrack_cache" && GOTOOLCHAIN=local go mod download -json "$module" \
    | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [[ -d "$found" ]] || die "go mod download gave no folder for $module"
  echo "$found"
}

# Copies the CRD files FROM (a glob inside the module) into INTO, failing when none match.
copy_crds() {
  local into="$1" n
  shift
  mkdir -p "$into"
  n=0
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    grep -q '^kind: CustomResourceDefinition$' "$f" || continue
    cp "$f" "$into/" && n=$((n + 1))
  done
  ((n > 0)) || die "no CRD found among $*"
  log "$(basename "$into"): $n CRDs"
}

if [[ ! -d "$dir" ]]; then
  command -v go >/dev/null || die "Go is needed to fetch the third-party CRDs"
  started=$SECONDS
  mkdir -p "$fintrack_cache"
  partial="$dir.partial"
  rm -rf "$partial"
  m="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  copy_crds "$partial/prometheus-operator" "$m"/example/prometheus-operator-crd/*.yaml
  m="$(module_dir "github.com/argoproj/argo-cd/v3@$ARGO_CD_VERSION")"
  copy_crds "$partial/argo-cd" "$m"/manifests/crds/*-crd.yaml
  # The chart's copies under deploy/charts are Helm templates; deploy/crds holds the same CRDs as
  # controller-gen writes them (plain YAML, without the chart's labels), which is what we apply.
  m="$(module_dir "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION")"
  copy_crds "$partial/cert-manager" "$m"/deploy/crds/*.yaml
  chmod -R u+w "$partial"
  rm -rf "$dir" && mv "$partial" "$dir"
  log "fetched the third-party CRDs into $dir in $((SECONDS - started)) s"
else
  log "third-party CRDs already in $dir"
fi

if $apply; then
  kubeconfig="$repo_root/.cluster/kubeconfig"
  kubectl() { "$repo_root/.cluster/bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }
  [[ -f "$kubeconfig" ]] || die "no local cluster: run hack/cluster-up.sh first"
  # What this cluster last got, so that a test run skips the ~15 s apply when nothing changed; a
  # CRD deleted since is noticed by `get`, a new pin by the stamp.
  stamp="$repo_root/.cluster/third-party-crds"
  mapfile -t files < <(find "$dir" -name '*.yaml' | sort)
  mapfile -t names < <(sed -n 's/^  name: \(.*\)$/\1/p' "${files[@]}" | tr -d '"')
  ((${#names[@]} == ${#files[@]})) || die "expected one CRD name per file in $dir"
  if [[ "$(cat "$stamp" 2>/dev/null)" == "$key" ]] &&
    kubectl get crd "${names[@]}" --output=name >/dev/null 2>&1; then
    log "the ${#names[@]} third-party CRDs are already installed in the local cluster"
  else
    # Server-side: the Prometheus CRDs are too big for client-side apply's last-applied annotation.
    kubectl apply --server-side --force-conflicts --field-manager=fintrack-third-party-crds \
      "${files[@]/#/--filename=}" >/dev/null
    kubectl wait --for=condition=Established --timeout=60s "${names[@]/#/crd/}" >/dev/null
    echo "$key" >"$stamp"
    log "installed ${#names[@]} third-party CRDs into the local cluster"
  fi
fi
echo "$dir"
