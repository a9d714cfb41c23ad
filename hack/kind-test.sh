#!/usr/bin/env bash
# End-to-end test on a real cluster, for machines with Docker and kind (`make kind-test`; CI runs
# it in .github/workflows/e2e-kind.yml). Builds the operator, app and backup images, loads them
# into a one-node kind cluster, deploys the operator from config/default, runs samples/minimal.yaml
# to Ready, registers a user and books a small ledger through the app's API, backs the tenant up
# to a MinIO in the cluster (hack/kind/minio.yaml) with an on-demand, verified backup, restores it
# into a second tenant (samples/restore-from-backup.yaml) and compares their accounts, spending
# report and transactions, then checks what each deletionPolicy leaves behind. The cluster is
# deleted at the end (KEEP_KIND_CLUSTER=1 keeps it); on failure the operator's, backup Jobs' and
# MinIO's logs, every object and event, and the FinanceTrackers and their backups are printed and
# saved under .cache/e2e/. IMG, APP_IMG and BACKUP_IMG name the images built; MINIO_IMG and MC_IMG
# replace the MinIO images hack/kind/minio.yaml pins (a mirror, say).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=kind/api.sh
source "$here/kind/api.sh"
cd "$repo_root"

cluster="${KIND_CLUSTER:-fintrack-e2e}"
img="${IMG:-fintrack/operator:e2e}"
app_img="${APP_IMG:-fintrack/app:e2e}"
backup_img="${BACKUP_IMG:-fintrack/backup:e2e}"
tenant_ns=tenant-e2e
# MinIO's namespace: hack/kind/acme-backup.yaml and samples/restore-from-backup.yaml name its
# Service as http://minio.storage.svc:9000.
storage_ns=storage
local_port="${E2E_LOCAL_PORT:-18080}"
restored_port="${E2E_RESTORED_PORT:-18081}"
# The on-demand backup samples/backup-on-demand.yaml creates, and the user who books the ledger.
backup_name=acme-before-upgrade
user_email=e2e@acme.example
user_password="lunch at the harbour on friday"
artifacts="$repo_root/.cache/e2e"

for tool in docker kind curl node; do
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
  log "FinanceTrackers and their backups"
  kubectl describe financetrackers,financetrackerbackups -A 2>&1 |
    tee "$artifacts/financetrackers.txt" || true
  log "backup and restore Jobs' logs"
  kubectl -n "$tenant_ns" logs -l app.kubernetes.io/component=backup --all-containers --prefix \
    --tail=-1 2>&1 | tee "$artifacts/backup-jobs.log" || true
  log "MinIO's logs"
  kubectl -n "$storage_ns" logs -l 'app.kubernetes.io/name in (minio,minio-bucket)' \
    --all-containers --prefix --tail=-1 2>&1 | tee "$artifacts/minio.log" || true
  kind export logs "$artifacts/kind" --name "$cluster" >/dev/null 2>&1 || true
}

cleanup() {
  local status=$?
  trap - EXIT
  stop_port_forward
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

# Forwards local port $2 to port 8080 of Service $1 in the tenant namespace and waits until the
# app answers through it.
start_port_forward() {
  local service="$1" port="$2"
  stop_port_forward
  # Started without the kubectl() wrapper, so that $! is kubectl itself and can be stopped.
  "$kubectl_bin" --kubeconfig "$kubeconfig" -n "$tenant_ns" port-forward "service/$service" \
    "$port:8080" >"$work/port-forward-$service.log" 2>&1 &
  port_forward_pid=$!
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.5
  done
  cat "$work/port-forward-$service.log" >&2 || true
  die "service/$service did not answer on 127.0.0.1:$port through kubectl port-forward"
}

stop_port_forward() {
  if [[ -n "$port_forward_pid" ]]; then kill "$port_forward_pid" 2>/dev/null || true; fi
  port_forward_pid=""
}

# Waits until FinanceTrackerBackup $1 in the tenant namespace has Completed and its verification
# (a restore into a throwaway PostgreSQL) passed; fails at once when it failed.
wait_backup() {
  local name="$1" phase="" verified
  for _ in $(seq 1 180); do
    phase="$(kubectl -n "$tenant_ns" get financetrackerbackup "$name" \
      -o jsonpath='{.status.phase}' 2>/dev/null || true)"
    case "$phase" in
      Completed) break ;;
      Failed | VerificationFailed)
        die "backup $name ended $phase: $(kubectl -n "$tenant_ns" get financetrackerbackup \
          "$name" -o jsonpath='{.status.message}')"
        ;;
    esac
    sleep 5
  done
  [[ "$phase" == Completed ]] ||
    die "backup $name did not complete in 15 minutes (${phase:-no phase})"
  verified="$(kubectl -n "$tenant_ns" get financetrackerbackup "$name" \
    -o jsonpath='{.status.verification.verified}')"
  [[ "$verified" == true ]] ||
    die "backup $name completed but was not verified (${verified:-unset})"
}

# A random hex string: credentials for the test's MinIO, which never leave the cluster.
random_hex() {
  od -An -N 20 -tx1 /dev/urandom | tr -d ' \n'
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

log "building $img, $app_img and $backup_img"
make --no-print-directory docker-build IMG="$img" APP_IMG="$app_img" BACKUP_IMG="$backup_img"
kind load docker-image "$img" "$app_img" "$backup_img" --name "$cluster"

log "deploying the operator"
make --no-print-directory deploy IMG="$img" APP_IMG="$app_img" BACKUP_IMG="$backup_img" \
  KUBECONFIG="$kubeconfig" KUBECTL="$kubectl_bin"
# The backup and restore Jobs run the image just loaded, whatever config/manager defaults to;
# setting the value it already has changes nothing and starts no rollout.
kubectl -n fintrack-system set env deployment/fintrack-operator \
  FINTRACK_BACKUP_IMAGE="$backup_img"
kubectl -n fintrack-system rollout status deployment/fintrack-operator --timeout=5m
kubectl -n fintrack-system wait deployment/fintrack-operator --for=condition=Available --timeout=5m

log "deploying MinIO in $storage_ns and creating the bucket"
s3_access_key="e2e$(random_hex | cut -c1-17)"
s3_secret_key="$(random_hex)"
kubectl create namespace "$storage_ns"
kubectl label namespace "$storage_ns" \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest
kubectl -n "$storage_ns" create secret generic minio-root \
  --from-literal=MINIO_ROOT_USER="$s3_access_key" \
  --from-literal=MINIO_ROOT_PASSWORD="$s3_secret_key"
sed -e "${MINIO_IMG:+s|image: docker.io/minio/minio:.*|image: $MINIO_IMG|}" \
  -e "${MC_IMG:+s|image: docker.io/minio/mc:.*|image: $MC_IMG|}" hack/kind/minio.yaml |
  kubectl -n "$storage_ns" apply -f -
kubectl -n "$storage_ns" wait deployment/minio --for=condition=Available --timeout=5m
kubectl -n "$storage_ns" wait job/minio-bucket --for=condition=Complete --timeout=5m

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
start_port_forward acme-app "$local_port"
api_session "http://127.0.0.1:$local_port" "$work/acme.cookies"
api POST /auth/register 201 \
  "{\"email\":\"$user_email\",\"password\":\"$user_password\",\"name\":\"E2E User\"}" >/dev/null

log "booking a ledger through the API: a category, an account, four transactions"
api_csrf_token
account_id="$(seed_ledger)"
capture_reports "$work/acme" "$account_id"
stop_port_forward

log "backing acme up to MinIO: spec.backup, then an on-demand FinanceTrackerBackup"
kubectl -n "$tenant_ns" create secret generic acme-s3 \
  --from-literal=AWS_ACCESS_KEY_ID="$s3_access_key" \
  --from-literal=AWS_SECRET_ACCESS_KEY="$s3_secret_key"
kubectl -n "$tenant_ns" patch financetracker acme --type merge \
  --patch-file hack/kind/acme-backup.yaml
wait_ready acme
kubectl -n "$tenant_ns" apply -f samples/backup-on-demand.yaml
wait_backup "$backup_name"
kubectl -n "$tenant_ns" wait financetracker/acme --timeout=5m \
  --for=jsonpath='{.status.lastBackup.name}'="$backup_name"

log "restoring $backup_name into a new tenant acme-restored and comparing the two"
restore="$(sed -e "s/^      backup: latest$/      backup: $backup_name/" \
  samples/restore-from-backup.yaml)"
grep -q "^      backup: $backup_name$" <<<"$restore" ||
  die "samples/restore-from-backup.yaml no longer restores \`backup: latest\`"
kubectl -n "$tenant_ns" apply -f - <<<"$restore"
wait_ready acme-restored
kubectl -n "$tenant_ns" rollout status deployment/acme-restored-app --timeout=5m
start_port_forward acme-restored-app "$restored_port"
api_session "http://127.0.0.1:$restored_port" "$work/acme-restored.cookies"
api POST /auth/login 200 "{\"email\":\"$user_email\",\"password\":\"$user_password\"}" >/dev/null
capture_reports "$work/acme-restored" "$account_id"
compare_reports "$work/acme" "$work/acme-restored"
stop_port_forward
log "acme-restored answers as acme did; deleting it"
kubectl -n "$tenant_ns" delete financetracker acme-restored --timeout=5m

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
