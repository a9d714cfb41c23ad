#!/usr/bin/env bash
# Builds actionlint, the GitHub Actions workflow linter, from its Go module into the cache, once
# per pin, and prints the binary's path. hack/actionlint.sh runs it; .ci/run calls this first so
# that the build shows as its own stage.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

dir="$fintrack_cache/actionlint-$ACTIONLINT_VERSION"
if [[ -x "$dir/actionlint" ]]; then
  log "actionlint $ACTIONLINT_VERSION already built in $dir"
  echo "$dir/actionlint"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build actionlint $ACTIONLINT_VERSION"
started=$SECONDS
partial="$dir.partial"
rm -rf "$partial" && mkdir -p "$partial"
# Outside the repo, so that no go.mod or go.work around it is consulted.
(cd "$partial" && GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$partial" \
  go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION") >&2
rm -rf "$dir" && mv "$partial" "$dir"
log "built actionlint $ACTIONLINT_VERSION in $dir in $((SECONDS - started)) s"
echo "$dir/actionlint"
