#!/usr/bin/env bash
# End-to-end test on a real cluster, for machines with Docker and kind (`make kind-test`; CI runs
# it in .github/workflows/e2e-kind.yml). Builds both images, loads them into a one-node kind
# cluster, deploys the operator from config/default, runs samples/minimal.yaml to Ready, registers
# a user through the app's API, then checks what each deletionPolicy leaves behind. The cluster is
# deleted at the end (KEEP_KIND_CLUSTER=1 keeps it); on failure the operator's logs, every object
# and event, and the FinanceTrackers are printed and saved under .cache/e2e/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$repo_root"

cluster="${KIND_CLUSTER:-fintrack-e2e}"
img="${IMG:-fintrack/operator:e2e}"
app_img="${APP_IMG:-fintrack/app:e2e}"
tenant_ns=tenant-e2e
local_port="${E2E_LOCAL_PORT:-18080}"
artifacts="$repo_root/.cache/e2e"

for tool in docker kind curl; do
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
port_forward_pid=""

dump_diagnostics() {
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  log "operator logs"
  kubectl -n fintrack-system logs -l app.kubernetes.io/name=fintrack-operator \
    --all-containers --prefix --tail=-1 2>&1 | tee "$artifacts/operator.log" || true
  log "every object and event"
  kubectl get all,events -A -o wide 2>&1 | tee "$artifacts/all.txt" || true
  log "FinanceTrackers"
  kubectl describe financetrackers -A 2>&1 | tee "$artifacts/financetrackers.txt" || true
  kind export logs "$artifacts/kind" --name "$cluster" >/dev/null 2>&1 || true
}

cleanup() {
  local status=$?
  trap - EXIT
  if [[ -n "$port_forward_pid" ]]; then kill "$port_forward_pid" 2>/dev/null || true; fi
  if [[ $status -ne 0 && -f "$kubeconfig" ]]; then
    log "the end-to-end test failed (exit $status): diagnostics follow"
    dump_diagnostics
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

# Waits until FinanceTracker $1 has reconciled its latest generation and is Ready.
wait_ready() {
  local name="$1" generation
  generation="$(kubectl -n "$tenant_ns" get financetracker "$name" -o jsonpath='{.metadata.generation}')"
  kubectl -n "$tenant_ns" wait "financetracker/$name" --timeout=10m \
    --for=jsonpath='{.status.observedGeneration}'="$generation"
  kubectl -n "$tenant_ns" wait "financetracker/$name" --for=condition=Ready --timeout=10m
}

# Fails unless each of the objects ($2...) in the tenant namespace is present ($1 = present) or
# gone ($1 = absent).
expect_objects() {
  local want="$1" object
  shift
  for object in "$@"; do
    if kubectl -n "$tenant_ns" get "$object" >/dev/null 2>&1; then
      [[ "$want" == present ]] || die "$object should be gone"
    else
      [[ "$want" == absent ]] || die "$object should remain"
    fi
  done
}

# A tenant from samples/minimal.yaml under another name.
minimal_as() {
  local out
  out="$(sed -e "s/^  name: acme$/  name: $1/" samples/minimal.yaml)"
  grep -q "^  name: $1$" <<<"$out" || die "samples/minimal.yaml no longer names its tenant acme"
  printf '%s\n' "$out"
}

log "creating kind cluster $cluster"
cat >"$work/kind.yaml" <<'YAML'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
YAML
kind create cluster --name "$cluster" --config "$work/kind.yaml" --kubeconfig "$kubeconfig" \
  ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 120s

log "building $img and $app_img"
make --no-print-directory docker-build IMG="$img" APP_IMG="$app_img"
kind load docker-image "$img" "$app_img" --name "$cluster"

log "deploying the operator"
make --no-print-directory deploy IMG="$img" APP_IMG="$app_img" KUBECONFIG="$kubeconfig" \
  KUBECTL="$kubectl_bin"
kubectl -n fintrack-system wait deployment/fintrack-operator --for=condition=Available --timeout=5m

log "creating tenant acme in $tenant_ns"
kubectl create namespace "$tenant_ns"
kubectl label namespace "$tenant_ns" \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest
kubectl -n "$tenant_ns" apply -f samples/minimal.yaml
wait_ready acme

# The sample keeps sign-up closed (invitation only); open it so a stranger may register.
log "opening sign-up and registering a user through the API"
kubectl -n "$tenant_ns" patch financetracker acme --type merge \
  -p '{"spec":{"app":{"signup":"open"}}}'
wait_ready acme
kubectl -n "$tenant_ns" rollout status deployment/acme-app --timeout=5m
# Started without the kubectl() wrapper, so that $! is kubectl itself and can be stopped.
"$kubectl_bin" --kubeconfig "$kubeconfig" -n "$tenant_ns" port-forward service/acme-app \
  "$local_port:8080" >"$work/port-forward.log" 2>&1 &
port_forward_pid=$!
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$local_port/" && break
  sleep 0.5
done
status="$(curl -sS -o "$work/register.json" -w '%{http_code}' \
  -H 'Content-Type: application/json' \
  -d '{"email":"e2e@acme.example","password":"lunch at the harbour on friday","name":"E2E User"}' \
  "http://127.0.0.1:$local_port/api/v1/auth/register")"
if [[ "$status" != 201 ]]; then
  cat "$work/register.json" >&2 || true
  die "POST /api/v1/auth/register answered $status, not 201"
fi
kill "$port_forward_pid" 2>/dev/null || true
port_forward_pid=""

log "deleting acme (deletionPolicy Retain): its volume and credentials must remain"
kubectl -n "$tenant_ns" delete financetracker acme --timeout=5m
kubectl -n "$tenant_ns" wait --for=delete statefulset/acme-postgres deployment/acme-app \
  --timeout=3m 2>/dev/null || true
expect_objects absent statefulset/acme-postgres deployment/acme-app
expect_objects present pvc/data-acme-postgres-0 secret/acme-credentials

log "creating tenant beta, switching it to deletionPolicy Delete, then deleting it"
minimal_as beta | kubectl -n "$tenant_ns" apply -f -
wait_ready beta
kubectl -n "$tenant_ns" patch financetracker beta --type merge \
  -p '{"spec":{"deletionPolicy":"Delete"}}'
wait_ready beta
expect_objects present pvc/data-beta-postgres-0 secret/beta-credentials
kubectl -n "$tenant_ns" delete financetracker beta --timeout=5m
kubectl -n "$tenant_ns" wait --for=delete pvc/data-beta-postgres-0 secret/beta-credentials \
  --timeout=3m 2>/dev/null || true
expect_objects absent pvc/data-beta-postgres-0 secret/beta-credentials
# acme's retained data is not beta's to delete.
expect_objects present pvc/data-acme-postgres-0 secret/acme-credentials

log "kind end-to-end test passed"
