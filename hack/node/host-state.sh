#!/usr/bin/env bash
# Prints what a real node may change on the host, in a stable order, so that two snapshots (before
# hack/node-up.sh, after hack/node-down.sh) can be compared line by line: network links, addresses,
# routes and rules, iptables rules (without counters), ipsets, network namespaces, mounts, the
# cgroup folders a kubelet creates, and every sysctl except the counters the kernel moves by itself.
set -uo pipefail

section() { printf '## %s\n' "$1"; }

section links
# Interface indexes and link statistics change with every link created: compare names and kinds.
ip -o -d link show | sed -E 's/^[0-9]+: //; s/ (qlen|numtxqueues|numrxqueues|gso_max_size|gso_max_segs|tso_max_size|tso_max_segs|gro_max_size|gso_ipv4_max_size|gro_ipv4_max_size|parentbus|parentdev) [^ ]+//g; s/ (link-netnsid|alias|promiscuity|allmulti|minmtu|maxmtu) [^ ]+//g' |
  awk '{print $1, $2}' | sort
section addresses
ip -o addr show | awk '{print $2, $3, $4}' | sort
section routes
ip route show table all | { grep -v '^local fe80::\|^multicast\|^ff00::' || true; } | sort
section rules
ip rule show | sort
section iptables
for tool in iptables-save ip6tables-save iptables-legacy-save ip6tables-legacy-save; do
  command -v "$tool" >/dev/null || continue
  # Counters and comments with timestamps differ between runs; the rules themselves must not.
  "$tool" 2>/dev/null | { grep -v '^#' || true; } | sed -E 's/\[[0-9]+:[0-9]+\]//' | sed "s/^/$tool /"
done
section ipsets
if command -v ipset >/dev/null; then ipset list -n 2>/dev/null | sort; fi
section netns
ip netns list 2>/dev/null | awk '{print $1}' | sort
ls /run/netns /var/run/netns 2>/dev/null | sort -u || true
section mounts
findmnt -rn -o TARGET,FSTYPE | sort
section cgroups
# A kubelet with the cgroupfs driver creates its hierarchy (kubepods, and ours) under each root.
find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sort
section files
# Folders that daemons like to create where they please (pod logs, runtime state, CNI configs).
find /etc /opt /run /var/lib /var/log /var/run -mindepth 1 -maxdepth 1 2>/dev/null | sort
section sysctls
# Counters and random values the kernel changes on its own, whatever we do.
sysctl -a 2>/dev/null |
  grep -Ev '^(fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)|kernel\.(random\.|ns_last_pid|pty\.nr|sched_domain|tainted|perf_event_max)|net\.netfilter\.nf_conntrack_count|net\.ipv[46]\.(route\.gc_|neigh\.)|vm\.(stat_refresh|drop_caches)|fs\.binfmt_misc|user\.)' |
  sort
