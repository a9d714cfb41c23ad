#!/usr/bin/env bash
# `make e2e`: the whole product end to end in real containers, on a real node joined to the local
# control plane. Starts the control plane (hack/cluster-up.sh) and the node (hack/node-up.sh),
# builds the three images from this checkout with the node's image builder, loads them and the
# tenants' base images into the node, and runs the scenario (operator/test/real/, the same one
# `make kind-test` runs on kind). Each stage prints its time. On failure the cluster's state is
# printed and saved under .cache/e2e/. The node is taken down at the end (E2E_KEEP_NODE=1 keeps
# it), and node-down fails if the host is not exactly as it was before. The operator is installed,
# upgraded and uninstalled with its Helm chart (config/helm). With E2E_MONITORING=1 (the default;
# 0 skips it) the real Prometheus Operator (hack/monitoring-up.sh) runs a Prometheus on the node
# that the scenario asks about targets, alert rules and dashboard panels.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"
cd "$repo_root"
# The pinned Node.js runs the scenario, also when this script is run by hand.
PATH="$("$here/ensure-node.sh"):$PATH"
export PATH

export IMG="${IMG:-fintrack/operator:e2e}" APP_IMG="${APP_IMG:-fintrack/app:e2e}"
export BACKUP_IMG="${BACKUP_IMG:-fintrack/backup:e2e}" S3_IMG="${S3_IMG:-motoserver/moto:$MOTO_VERSION}"
export APP_ROLLOUT_IMG="${APP_ROLLOUT_IMG:-${APP_IMG%:*}:e2e-rollout}"
artifacts="$repo_root/.cache/e2e"
export E2E_MONITORING="${E2E_MONITORING:-1}"
# What tenants run besides our own images: the operator's default PostgreSQL of every major
# (pinned by release: POSTGRES_BINARIES_VERSIONS; the upgrade step runs 15 to 18) and Redis;
# postgres:18-alpine plays an image without the app in it for a crash-looping tenant.
tenant_images=(postgres:18-alpine redis:7.4-alpine "$S3_IMG")
IFS=, read -ra postgres_releases <<<"$POSTGRES_BINARIES_VERSIONS"
for release in "${postgres_releases[@]}"; do
  tenant_images+=("postgres:${release%.*}-alpine")
done

# Runs a timed stage and returns its status (also where errexit does not apply, as in `|| status=1`).
stage() {
  local name="$1" started=$SECONDS status=0
  shift
  log "::: $name"
  "$@" || status=$?
  log "::: $name took $((SECONDS - started)) s"
  return "$status"
}

dump_diagnostics() {
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  log "the scenario failed: the cluster's state follows (saved in $artifacts)"
  {
    kubectl get nodes,financetrackers,financetrackerbackups -A -o wide
    kubectl get all,pvc,networkpolicy,ingress,hpa -A -o wide
    kubectl describe financetrackers -A
    kubectl get events -A --sort-by=.lastTimestamp | tail -n 80
  } >"$artifacts/cluster.txt" 2>&1 || true
  kubectl -n fintrack-system logs -l app.kubernetes.io/name=fintrack-operator --all-containers \
    --prefix --tail=300 >"$artifacts/operator.log" 2>&1 || true
  cp "$node_dir/logs/prometheus-operator.log" "$artifacts/" 2>/dev/null || true
  for ns in $(kubectl get ns -l fintrack.dev/e2e=true -o name 2>/dev/null | cut -d/ -f2); do
    # The tenants' pods, and what a restarted container said before it stopped.
    kubectl -n "$ns" logs -l app.kubernetes.io/name=fintrack --all-containers --prefix \
      --tail=200 >"$artifacts/$ns.log" 2>&1 || true
    kubectl -n "$ns" logs -l app.kubernetes.io/name=fintrack --all-containers --prefix \
      --previous --tail=200 >"$artifacts/$ns.previous.log" 2>&1 || true
  done
  cp -r "$node_dir/logs" "$artifacts/node-logs" 2>/dev/null || true
  tail -n 60 "$artifacts/cluster.txt" >&2 || true
}

cleanup() {
  local status=$?
  trap - EXIT
  [[ $status -eq 0 ]] || dump_diagnostics
  log "removing the scenario's namespaces and the operator"
  kubectl delete namespace -l fintrack.dev/e2e=true --wait=true --timeout=5m >/dev/null 2>&1 || true
  kubectl delete clusterrolebinding,clusterrole -l fintrack.dev/e2e=true >/dev/null 2>&1 || true
  # Uninstalling keeps the operator's namespace (it holds Helm's record of the release): then it goes.
  if [[ -n "${HELM:-}" ]]; then
    "$HELM" uninstall fintrack-operator --namespace fintrack-system --kubeconfig "$cluster_kubeconfig" \
      --wait >/dev/null 2>&1 || true
  fi
  kubectl delete namespace fintrack-system --ignore-not-found --wait=true --timeout=2m >/dev/null 2>&1 || true
  "$here/monitoring-down.sh" || true
  if [[ "${E2E_KEEP_NODE:-}" == 1 ]]; then
    log "keeping the real node (make node-down removes it)"
  else
    stage "node down" "$here/node-down.sh" || status=1
    if [[ -f "$e2e_dir/started-docker" ]]; then stage "image builder down" "$here/docker-down.sh" || status=1; fi
    # Only a run that brought the node up itself can hold the host to how it found it.
    if [[ -f "$e2e_dir/started-node" ]]; then
      host_as_before "$e2e_dir/host-before" "make e2e" || status=1
    fi
  fi
  exit "$status"
}

started=$SECONDS
# Packages first: installing them is not something the scenario must undo. dockerd writes
# /etc/docker/key.json at its first start, and no flag moves it: that folder counts as installed.
stage "node packages" "$here/install-node-packages.sh"
mkdir -p /etc/docker
# The host before anything of the scenario runs: compared again once everything is down.
e2e_dir="$repo_root/.cache/e2e-run"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
"$here/node/host-state.sh" >"$e2e_dir/host-before"
stage "control plane" "$here/cluster-up.sh"
trap cleanup EXIT
stage "node binaries" "$here/build-node.sh"
HELM="$("$here/install-helm.sh")"
export HELM
if [[ $E2E_MONITORING == 1 ]]; then
  stage "monitoring binaries (Prometheus Operator, Prometheus)" "$here/build-monitoring.sh" >/dev/null
fi
if ! docker_running; then
  stage "image builder (Docker engine)" "$here/docker-up.sh" >/dev/null
  touch "$e2e_dir/started-docker"
fi
stage "base images" "$here/base-images.sh"
node_running || touch "$e2e_dir/started-node"
stage "real node up" "$here/node-up.sh"
stage "build the images" make --no-print-directory docker-build IMG="$IMG" APP_IMG="$APP_IMG" \
  BACKUP_IMG="$BACKUP_IMG" DOCKER_BUILD_FLAGS="--network host"
docker tag "$APP_IMG" "$APP_ROLLOUT_IMG"
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' "${IMG%:*}" | sed 's/^/  /' >&2
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' "${APP_IMG%:*}" | sed 's/^/  /' >&2
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' "${BACKUP_IMG%:*}" | sed 's/^/  /' >&2
stage "load the images into the node" "$here/node-load-images.sh" "$IMG" "$APP_IMG" "$APP_ROLLOUT_IMG" \
  "$BACKUP_IMG" "${tenant_images[@]}"
if [[ $E2E_MONITORING == 1 ]]; then
  stage "Prometheus Operator up" "$here/monitoring-up.sh" >/dev/null
  export E2E_PROMETHEUS_IMAGE="$prometheus_image" E2E_PROMETHEUS_VERSION="$PROMETHEUS_VERSION"
fi
stage "scenario" env FINTRACK_E2E=1 E2E_SUBSTRATE=real-node E2E_KUBECONFIG="$cluster_kubeconfig" \
  npx vitest run --project e2e --reporter=default --reporter=json \
  --outputFile.json="$repo_root/.cache/e2e-report.json"
log "end-to-end scenario passed in $((SECONDS - started)) s"
