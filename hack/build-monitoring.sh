#!/usr/bin/env bash
# Builds the monitoring stack the real node runs (make e2e with E2E_MONITORING=1) into the cache,
# once per set of pins, and prints the folder: the Prometheus Operator and its config reloader
# (PROMETHEUS_OPERATOR_VERSION) and Prometheus (PROMETHEUS_VERSION), all from their Go modules.
# Debian's prometheus (2.42) is older than the oldest release the Prometheus Operator v0.85
# supports (v2.45.0, its PrometheusCompatibilityMatrix), hence Prometheus from its module.
# Neither project's go.mod allows `go install pkg@version` (local or upstream replace lines), so
# each builds in a throwaway module that requires the published modules instead.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

dir="$(monitoring_bin_dir)"
binaries=(prometheus-operator prometheus-config-reloader prometheus)
missing=0
for b in "${binaries[@]}"; do [[ -x "$dir/$b" ]] || missing=1; done
if [[ $missing == 0 ]]; then
  log "monitoring binaries already built in $dir"
  echo "$dir"
  exit 0
fi

command -v go >/dev/null || die "Go is needed to build the monitoring binaries"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
partial="$dir.partial"
rm -rf "$partial" && mkdir -p "$partial"

# The version both projects stamp with github.com/prometheus/common/version.
stamp() { echo "-s -w -X github.com/prometheus/common/version.Version=${1#v} -X github.com/prometheus/common/version.Revision=$1 -X github.com/prometheus/common/version.Branch=release"; }

build_prometheus_operator() {
  local started=$SECONDS po=github.com/prometheus-operator/prometheus-operator
  log "building the Prometheus Operator $PROMETHEUS_OPERATOR_VERSION and its config reloader"
  mkdir -p "$work/po"
  # The operator's go.mod points pkg/apis/monitoring and pkg/client at ./pkg: the published
  # modules of the same version are those folders.
  (cd "$work/po" && go mod init fintrack.local/prometheus-operator >/dev/null 2>&1 \
    && go get "$po@$PROMETHEUS_OPERATOR_VERSION" "$po/pkg/apis/monitoring@$PROMETHEUS_OPERATOR_VERSION" \
      "$po/pkg/client@$PROMETHEUS_OPERATOR_VERSION" \
    && go get "$po/cmd/operator@$PROMETHEUS_OPERATOR_VERSION" \
      "$po/cmd/prometheus-config-reloader@$PROMETHEUS_OPERATOR_VERSION" \
    && go build -trimpath -ldflags "$(stamp "$PROMETHEUS_OPERATOR_VERSION")" \
      -o "$partial/prometheus-operator" "$po/cmd/operator" \
    && go build -trimpath -ldflags "$(stamp "$PROMETHEUS_OPERATOR_VERSION")" \
      -o "$partial/prometheus-config-reloader" "$po/cmd/prometheus-config-reloader")
  log "built the Prometheus Operator in $((SECONDS - started)) s"
}

build_prometheus() {
  local started=$SECONDS module_version
  # Prometheus v3.X.Y is published as the Go module version v0.3XX.Y.
  module_version="$(prometheus_module_version)"
  log "building Prometheus $PROMETHEUS_VERSION (module $module_version; its API, no web UI assets)"
  mkdir -p "$work/prom"
  (cd "$work/prom" && go mod init fintrack.local/prometheus >/dev/null 2>&1 \
    && go get "github.com/prometheus/prometheus/cmd/prometheus@$module_version" \
    && go build -trimpath -ldflags "$(stamp "$PROMETHEUS_VERSION")" \
      -o "$partial/prometheus" github.com/prometheus/prometheus/cmd/prometheus)
  log "built Prometheus in $((SECONDS - started)) s"
}

build_prometheus_operator
build_prometheus
for b in "${binaries[@]}"; do
  out="$("$partial/$b" --version 2>&1)" || die "$b --version failed: $out"
  log "$b: ${out%%$'\n'*}"
done
rm -rf "$dir" && mv "$partial" "$dir"
echo "$dir"
