#!/usr/bin/env bash
# Lints .github/workflows with actionlint (expressions, action inputs, runner labels, and each
# `run:` script through shellcheck when it is installed). Without Go to build it, a developer's
# `make lint` warns and goes on; CI (CI=true) fails instead, so a lint never silently stops.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$repo_root"

if [[ ! -x "$fintrack_cache/actionlint-$ACTIONLINT_VERSION/actionlint" ]] &&
  ! command -v go >/dev/null && [[ "${CI:-}" != true ]]; then
  log "warning: workflows not linted: Go is needed to build actionlint $ACTIONLINT_VERSION once"
  exit 0
fi
actionlint="$("$here/install-actionlint.sh")"
command -v shellcheck >/dev/null ||
  log "warning: shellcheck is not installed, so actionlint does not check the run: scripts"
"$actionlint" -no-color
log "actionlint: .github/workflows clean"
