#!/usr/bin/env bash
# API-only control plane from controller-runtime envtest binaries: etcd and kube-apiserver from
# $KUBEBUILDER_ASSETS, with RBAC, PodSecurity admission and service-account tokens, on loopback.
# No controller-manager, scheduler or kwok: tests that need them skip and say so. As in envtest,
# the ServiceAccount admission plugin is off: no controller creates the `default` ServiceAccount.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

assets="${KUBEBUILDER_ASSETS:?KUBEBUILDER_ASSETS must name a folder with etcd, kube-apiserver and kubectl}"
for b in etcd kube-apiserver kubectl; do
  [[ -x "$assets/$b" ]] || die "$assets/$b is missing or not executable"
done
cluster_dir="$repo_root/.cluster"
dir="$cluster_dir/envtest"
kubeconfig="$cluster_dir/kubeconfig"
mkdir -p "$cluster_dir/bin"
ln -sfn "$assets/kubectl" "$cluster_dir/bin/kubectl"
kubectl() { "$assets/kubectl" --kubeconfig "$kubeconfig" "$@"; }

if [[ -f "$cluster_dir/mode" ]] && kubectl get --raw /readyz >/dev/null 2>&1; then
  log "cluster already running ($(cat "$cluster_dir/mode") mode): $kubeconfig"
  exit 0
fi
if [[ -f "$dir/pids" ]]; then
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$dir/pids"
fi
rm -rf "$dir" "$cluster_dir/mode" && mkdir -p "$dir/pki"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
pki="$dir/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=fintrack-envtest-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
sign() { # name subject [extensions]
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -out "$pki/$1.crt" ${3:+-extfile <(printf '%s' "$3")} 2>/dev/null
}
sign server "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc"
sign admin "/O=system:masters/CN=fintrack-admin"
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

etcd_port="$(free_port)" peer_port="$(free_port)" api_port="$(free_port)"
"$assets/etcd" --data-dir "$dir/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "default=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
echo $! >>"$dir/pids"
"$assets/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" --client-ca-file "$pki/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$pki/sa.pub" \
  --service-account-signing-key-file "$pki/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
  --authorization-mode RBAC --endpoint-reconciler-type none \
  --disable-admission-plugins ServiceAccount \
  >"$dir/kube-apiserver.log" 2>&1 &
echo $! >>"$dir/pids"

cat >"$kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: envtest
  cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$pki/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$pki/admin.crt", client-key: "$pki/admin.key"}
contexts:
- name: envtest
  context: {cluster: envtest, user: admin}
current-context: envtest
YAML

for _ in $(seq 1 120); do
  kubectl get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.5
done
kubectl get --raw /readyz >/dev/null 2>&1 || { tail -20 "$dir/kube-apiserver.log" >&2; die "kube-apiserver did not become ready"; }
echo api-only >"$cluster_dir/mode"
log "API-only cluster ready (envtest binaries from $assets): $kubeconfig"
