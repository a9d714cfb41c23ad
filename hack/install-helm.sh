#!/usr/bin/env bash
# Builds Helm from its Go module into the cache, once per pin, and prints the binary's path. The
# chart's lint and render tests (operator/test/helm-chart*.test.ts) and its install test run it;
# .ci/run calls this first so that the build shows as its own stage.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

dir="$fintrack_cache/helm-$HELM_VERSION"
if [[ -x "$dir/helm" ]]; then
  log "helm $HELM_VERSION already built in $dir"
  echo "$dir/helm"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build helm $HELM_VERSION"
started=$SECONDS
partial="$dir.partial"
rm -rf "$partial" && mkdir -p "$partial"
# Helm's own Makefile stamps the version this way; without it `helm version` says "v4.3" and
# `helm package` records that as the Helm that built the chart. An empty metadata marks a release.
pkg=helm.sh/helm/v4/internal/version
ldflags="-s -w -X $pkg.version=$HELM_VERSION -X $pkg.metadata= -X $pkg.gitTreeState=clean"
# Outside the repo, so that no go.mod or go.work around it is consulted.
(cd "$partial" && GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$partial" \
  go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION") >&2
"$partial/helm" version --short >&2
rm -rf "$dir" && mv "$partial" "$dir"
log "built helm $HELM_VERSION in $dir in $((SECONDS - started)) s"
echo "$dir/helm"
