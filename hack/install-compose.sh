#!/usr/bin/env bash
# Builds Docker Compose (the `docker compose` CLI plugin) from its Go module into the cache, once
# per pin, and prints the binary's path. hack/compose-test.sh runs it with DOCKER_HOST pointing at
# hack/docker-up.sh's engine; .ci/run calls this first so that the build shows as its own stage.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

dir="$fintrack_cache/compose-$COMPOSE_VERSION"
if [[ -x "$dir/docker-compose" ]]; then
  log "Docker Compose $COMPOSE_VERSION already built in $dir"
  echo "$dir/docker-compose"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build Docker Compose $COMPOSE_VERSION"
started=$SECONDS
partial="$dir.partial"
rm -rf "$partial" && mkdir -p "$partial"
module="github.com/docker/compose/${COMPOSE_VERSION%%.*}"
# Built as a dependency of a throwaway module: `go install pkg@version` refuses a go.mod with
# exclude directives, which Compose's has, so they are copied into ours (a dependency's are
# ignored) for the module graph to be the one its release was built with.
gomod="$(cd "$partial" && GOTOOLCHAIN=local go mod download -json "$module@$COMPOSE_VERSION" |
  sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
[[ -f "$gomod" ]] || die "go mod download gave no go.mod for $module@$COMPOSE_VERSION"
{
  echo "module fintrack.local/compose"
  echo
  sed -n 's/^go .*/&/p' "$gomod"
  echo
  echo "require $module $COMPOSE_VERSION"
  echo
  # A tool line, so that `go mod tidy` keeps the requirement of a module with no Go files.
  echo "tool $module/cmd"
  echo
  sed -n '/^exclude (/,/^)/p' "$gomod"
} >"$partial/go.mod"
# Outside the repo, so that no go.mod or go.work around it is consulted. The version stamp is the
# one its Makefile sets, so `docker compose version` names the pin.
(cd "$partial" && export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 &&
  go mod tidy && go build -trimpath -ldflags "-s -w -X $module/internal.Version=$COMPOSE_VERSION" \
  -o "$partial/docker-compose" "$module/cmd") >&2
rm -f "$partial/go.mod" "$partial/go.sum"
rm -rf "$dir" && mv "$partial" "$dir"
log "built Docker Compose $COMPOSE_VERSION in $dir in $((SECONDS - started)) s"
echo "$dir/docker-compose"
