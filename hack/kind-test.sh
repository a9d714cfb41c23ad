#!/usr/bin/env bash
# `make kind-test`: the end-to-end scenario of `make e2e` (operator/test/real/) on a one-node kind
# cluster, for machines with Docker and kind (.github/workflows/e2e-kind.yml runs it). Builds the
# operator, app and backup images, loads them into kind, installs metrics-server (kind has none;
# the scenario's autoscaling step needs it), and runs the same scenario. Tenants' PostgreSQL and
# Redis images and the S3 server (motoserver/moto) are pulled from Docker Hub as usual. The
# cluster is deleted at the end (KEEP_KIND_CLUSTER=1 keeps it); on failure its state is saved in
# .cache/e2e/. IMG, APP_IMG and BACKUP_IMG name the images built; METRICS_SERVER_MANIFEST another
# metrics-server manifest (a mirror, say).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$repo_root"

cluster="${KIND_CLUSTER:-fintrack-e2e}"
export IMG="${IMG:-fintrack/operator:e2e}" APP_IMG="${APP_IMG:-fintrack/app:e2e}"
export BACKUP_IMG="${BACKUP_IMG:-fintrack/backup:e2e}" S3_IMG="${S3_IMG:-motoserver/moto:$MOTO_VERSION}"
export APP_ROLLOUT_IMG="${APP_ROLLOUT_IMG:-${APP_IMG%:*}:e2e-rollout}"
metrics_server="${METRICS_SERVER_MANIFEST:-https://github.com/kubernetes-sigs/metrics-server/releases/download/$METRICS_SERVER_VERSION/components.yaml}"
artifacts="$repo_root/.cache/e2e"

for tool in docker kind; do
  command -v "$tool" >/dev/null || die "$tool is needed for the kind end-to-end test"
done
if [[ -x "$repo_root/.cluster/bin/kubectl" ]]; then
  kubectl_bin="$repo_root/.cluster/bin/kubectl"
else
  kubectl_bin="$(command -v kubectl)" || die "kubectl is needed for the kind end-to-end test"
fi
work="$(mktemp -d)"
kubeconfig="$work/kubeconfig"
kubectl() { "$kubectl_bin" --kubeconfig "$kubeconfig" "$@"; }

cleanup() {
  local status=$?
  trap - EXIT
  if [[ $status -ne 0 && -f "$kubeconfig" ]]; then
    rm -rf "$artifacts" && mkdir -p "$artifacts"
    log "the end-to-end test failed (exit $status): the cluster's state is in $artifacts"
    kubectl get all,financetrackers,financetrackerbackups,events -A -o wide >"$artifacts/all.txt" 2>&1 || true
    kubectl describe financetrackers -A >"$artifacts/financetrackers.txt" 2>&1 || true
    kubectl -n fintrack-system logs -l app.kubernetes.io/name=fintrack-operator --all-containers \
      --prefix --tail=-1 >"$artifacts/operator.log" 2>&1 || true
    kind export logs "$artifacts/kind" --name "$cluster" >/dev/null 2>&1 || true
  fi
  if [[ "${KEEP_KIND_CLUSTER:-}" == 1 ]]; then
    log "keeping kind cluster $cluster (kubeconfig: kind get kubeconfig --name $cluster)"
  else
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

log "creating kind cluster $cluster"
kind create cluster --name "$cluster" --kubeconfig "$kubeconfig" \
  ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 120s

log "building $IMG, $APP_IMG and $BACKUP_IMG"
make --no-print-directory docker-build IMG="$IMG" APP_IMG="$APP_IMG" BACKUP_IMG="$BACKUP_IMG"
docker tag "$APP_IMG" "$APP_ROLLOUT_IMG"
kind load docker-image "$IMG" "$APP_IMG" "$APP_ROLLOUT_IMG" "$BACKUP_IMG" --name "$cluster"

log "installing metrics-server (the kubelets' certificates are kind's own: --kubelet-insecure-tls)"
kubectl apply -f "$metrics_server"
kubectl -n kube-system patch deployment metrics-server --type=json \
  -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'
kubectl -n kube-system rollout status deployment/metrics-server --timeout=5m

# The scenario installs the operator with its Helm chart: Helm from PATH, else the pinned one.
HELM="$(command -v helm || "$here/install-helm.sh")"
export HELM
log "running the end-to-end scenario (E2E_MONITORING is make e2e's: kind has no Prometheus Operator here)"
FINTRACK_E2E=1 E2E_MONITORING=0 E2E_SUBSTRATE=kind E2E_KUBECONFIG="$kubeconfig" E2E_KUBECTL="$kubectl_bin" \
  npx vitest run --project e2e
log "kind end-to-end test passed"
