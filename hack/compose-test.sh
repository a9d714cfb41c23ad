#!/usr/bin/env bash
# `make compose-test`: samples/compose/compose.yaml end to end with Docker Compose (built from its
# Go module, hack/install-compose.sh) on Debian's Docker engine (hack/docker-up.sh): the app and
# backup images built from this checkout, PostgreSQL, Redis and the test's S3 server from the
# local stand-ins (hack/base-images.sh), nothing pulled. The scenario is
# app/test/compose/compose.e2e.test.ts; its result goes to .cache/compose-report.json.
# COMPOSE_APP_IMG and COMPOSE_BACKUP_IMG, both set, test the sample with existing images instead.
#
# The engine keeps to its host-friendly settings (no iptables rules, no IP forwarding): the
# stack's bridge network carries traffic between its containers, and Docker's userland proxy
# publishes the app's port on 127.0.0.1. A real node must not be up meanwhile (it owns the host's
# forwarding rules), so CI runs this as its own stage after make e2e has taken its node down. The
# host must be exactly as before afterwards, as hack/e2e.sh checks for the node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"
cd "$repo_root"
PATH="$("$here/ensure-node.sh"):$PATH"
export PATH
export DOCKER_HOST="${DOCKER_HOST:-unix:///run/fintrack-docker/docker.sock}"
# The legacy builder: BuildKit would fetch its Dockerfile frontend from a registry.
export DOCKER_BUILDKIT=0

# Given both, the sample is tested with those images as they are (a release's, say); by default
# they are built from this checkout.
app_image="${COMPOSE_APP_IMG:-fintrack/app:compose}"
backup_image="${COMPOSE_BACKUP_IMG:-fintrack/backup:compose}"
build=true
[[ -z "${COMPOSE_APP_IMG:-}" || -z "${COMPOSE_BACKUP_IMG:-}" ]] || build=false
run_dir="$repo_root/.cache/compose-run"

[[ "$(id -u)" == 0 ]] || die "run as root: the Docker engine needs it"
node_running && die "a real node is up (make node-down first): its forwarding rules and Docker's must not meet"

# Runs a timed stage and returns its status.
stage() {
  local name="$1" started=$SECONDS status=0
  shift
  log "::: $name"
  "$@" || status=$?
  log "::: $name took $((SECONDS - started)) s"
  return "$status"
}

# The two images the sample runs, from this checkout; their logs are shown only on failure.
build_images() {
  local pair dockerfile image
  for pair in "Dockerfile.app=$app_image" "Dockerfile.backup=$backup_image"; do
    dockerfile="${pair%%=*}" image="${pair#*=}"
    if ! docker build --network host -f "$dockerfile" -t "$image" . >"$run_dir/$dockerfile.log" 2>&1; then
      tail -n 30 "$run_dir/$dockerfile.log" >&2
      return 1
    fi
  done
}

cleanup() {
  local status=$?
  trap - EXIT
  # The scenario takes its stack down itself; this catches one it left behind by failing early.
  "$compose" --project-name fintrack-compose-test down --volumes --remove-orphans >/dev/null 2>&1 || true
  if [[ -f "$run_dir/started-docker" ]]; then
    stage "Docker engine down" "$here/docker-down.sh" || status=1
  fi
  # Only a run that started the engine itself can hold the host to how it found it.
  if [[ -f "$run_dir/started-docker" ]]; then
    host_as_before "$run_dir/host-before" "make compose-test" || status=1
  fi
  exit "$status"
}

started=$SECONDS
compose="$(stage "Docker Compose binary" "$here/install-compose.sh")"
# dockerd writes /etc/docker/key.json at its first start and no flag moves it: that folder counts
# as installed, like the packages hack/docker-up.sh installs before the snapshot below matters.
mkdir -p /etc/docker
rm -rf "$run_dir" && mkdir -p "$run_dir"
if ! docker_running; then
  "$here/node/host-state.sh" >"$run_dir/host-before"
  touch "$run_dir/started-docker"
  trap cleanup EXIT
  stage "Docker engine" "$here/docker-up.sh" >/dev/null
else
  trap cleanup EXIT
fi
stage "base images" "$here/base-images.sh"
if $build; then stage "build the app and backup images" build_images; fi
mkdir -p .cache
stage "scenario" env FINTRACK_COMPOSE=1 COMPOSE_BIN="$compose" FINTRACK_APP_IMAGE="$app_image" \
  FINTRACK_BACKUP_IMAGE="$backup_image" S3_IMAGE="motoserver/moto:$MOTO_VERSION" \
  npx vitest run --project compose --reporter=default --reporter=json \
  --outputFile.json="$repo_root/.cache/compose-report.json"
log "samples/compose passed in $((SECONDS - started)) s"
