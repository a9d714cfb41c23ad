#!/usr/bin/env bash
# Takes the real node (hack/node-up.sh) out of the local cluster and leaves the host exactly as it
# was before node-up: its pods are deleted while the kubelet still runs (so CNI and volume
# teardown happen), then the daemons stop, and whatever they leave behind is removed: container
# processes, mounts, network namespaces, the bridge, iptables tables and ipsets, cgroups, the
# node's address on lo, folders, and every sysctl the kubelet and CNI changed. Finally the host is
# compared with node-up's snapshot; any difference is printed and fails the script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"

[[ -d "$node_dir" ]] || {
  log "no real node to take down"
  exit 0
}
started=$SECONDS

if daemon_alive kubelet && kubectl get node "$node_name" >/dev/null 2>&1; then
  log "deleting the add-ons and every pod on $node_name while its kubelet runs"
  kubectl annotate storageclass kwok-volume --overwrite \
    storageclass.kubernetes.io/is-default-class=true >/dev/null 2>&1 || true
  sed -e "s|@[A-Z_]*@|x|g" "$here/node/addons.yaml" |
    kubectl delete --ignore-not-found --wait=false -f - >/dev/null 2>&1 || true
  kubectl cordon "$node_name" >/dev/null
  for fake in $(kubectl get nodes -l type=kwok -o name); do kubectl uncordon "$fake" >/dev/null; done
  kubectl delete pods -A --field-selector "spec.nodeName=$node_name" --wait=false >/dev/null || true
  for _ in $(seq 1 120); do
    [[ -z "$(kubectl get pods -A --field-selector "spec.nodeName=$node_name" -o name 2>/dev/null)" ]] && break
    sleep 1
  done
  left="$(kubectl get pods -A --field-selector "spec.nodeName=$node_name" -o name 2>/dev/null || true)"
  if [[ -n "$left" ]]; then
    log "pods still on $node_name after 2 minutes, removing them forcibly: $left"
    kubectl delete pods -A --field-selector "spec.nodeName=$node_name" --force --grace-period=0 \
      >/dev/null 2>&1 || true
  fi
  # Volumes of the local-path class live in $node_dir, which goes below.
  kubectl get pv -o jsonpath='{range .items[?(@.spec.storageClassName=="standard")]}{.metadata.name}{"\n"}{end}' |
    xargs -r "$(control_plane_bin_dir)/kubectl" --kubeconfig "$cluster_kubeconfig" delete pv --wait=false \
      >/dev/null 2>&1 || true
  kubectl delete node "$node_name" --wait=false >/dev/null 2>&1 || true
fi

"$here/monitoring-down.sh"
log "stopping kube-router, kube-proxy, the kubelet and containerd"
for daemon in kube-router kube-proxy kubelet; do stop_daemon "$daemon"; done
# Containers whose pods could not be deleted still run under containerd's shims.
if [[ -S "$node_run_dir/containerd.sock" ]]; then
  for task in $(ctr_k8s tasks list -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true; done
fi
stop_daemon containerd
kill_cgroup_members() {
  local pids
  pids="$(grep -l ":/fintrack-node" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true)"
  pids+=" $(pgrep -f "containerd-shim.*$node_run_dir" || true)"
  # shellcheck disable=SC2086 # a list of pids
  [[ -n "${pids// /}" ]] && kill -9 $pids 2>/dev/null || true
}
kill_cgroup_members
sleep 0.5
kill_cgroup_members

log "removing mounts, network namespaces, the bridge and addresses"
for mount in $(findmnt -rn -o TARGET | grep -E "^($node_dir|$node_run_dir)" | sort -r); do
  umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true
done
before_netns="$(sed -n '/^## netns/,/^## /p' "$node_dir/host-before" 2>/dev/null || true)"
for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
  grep -qx "$ns" <<<"$before_netns" || ip netns delete "$ns" 2>/dev/null || true
done
ip link delete "$node_bridge" 2>/dev/null || true
ip addr del "$node_ip/32" dev lo 2>/dev/null || true

log "removing iptables tables and ipsets the node created"
before_tables="$(cat "$node_dir/nft-tables-before" 2>/dev/null || true)"
while read -r family table; do
  [[ -n "$table" ]] || continue
  grep -qx "table $family $table" <<<"$before_tables" || nft delete table "$family" "$table" 2>/dev/null || true
done < <(nft list tables 2>/dev/null | awk '{print $2, $3}')
before_ipsets="$(sed -n '/^## ipsets/,/^## /p' "$node_dir/host-before" 2>/dev/null || true)"
for set in $(ipset list -n 2>/dev/null); do
  grep -qx "$set" <<<"$before_ipsets" || ipset destroy "$set" 2>/dev/null || true
done

log "restoring sysctls and removing cgroups and folders"
if [[ -f "$node_dir/sysctl-before" ]]; then
  # Only keys whose value moved; a key that no longer exists (a deleted interface's) is skipped.
  comm -23 "$node_dir/sysctl-before" <(sysctl -a 2>/dev/null | sort) | while IFS= read -r line; do
    key="${line%% = *}"
    value="${line#* = }"
    [[ -e "/proc/sys/${key//.//}" ]] && sysctl -q -w "$key=$value" >/dev/null 2>&1 || true
  done
fi
for root in /sys/fs/cgroup/*/; do
  [[ -d "$root/fintrack-node" ]] || continue
  find "$root/fintrack-node" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
# Places the kubelet, CNI and kube-router use whatever their configuration says; removed only when
# they did not exist before node-up.
before_files="$(sed -n '/^## files/,/^## /p' "$node_dir/host-before" 2>/dev/null || true)"
for path in /var/log/pods /var/log/containers /run/netns /var/lib/kubelet /var/lib/cni /etc/cni \
  /opt/cni /run/containerd /var/lib/containerd /var/lib/kube-router /run/xtables.lock; do
  [[ -e "$path" ]] && ! grep -qx "$path" <<<"$before_files" && rm -rf "$path"
done
rm -rf "$node_run_dir"
if [[ -f "$node_dir/started-docker" ]]; then "$here/docker-down.sh"; fi
before="$(cat "$node_dir/host-before" 2>/dev/null || true)"
rm -rf "$node_dir"
if [[ -n "$before" ]]; then
  # The image builder's own cgroups, network namespace and mounts come and go with its builds;
  # docker-down (and make e2e's comparison after it) answers for those.
  not_builder() { grep -v -e fintrack-docker -e "$fintrack_cache/docker/" || true; }
  if ! diff <(echo "$before" | not_builder) <("$here/node/host-state.sh" | not_builder) \
    >"$repo_root/.cluster/host-diff" 2>&1; then
    cat "$repo_root/.cluster/host-diff" >&2
    die "the host differs from before node-up (above: < before, > now)"
  fi
  rm -f "$repo_root/.cluster/host-diff"
fi
log "real node removed in $((SECONDS - started)) s; the host is as it was before node-up"
