#!/usr/bin/env bash
# Installs what a real node runs on the host (hack/node-up.sh): Debian's containerd, runc and CNI
# plugins; iptables, ipset, conntrack for kube-proxy and kube-router; nftables, so that
# hack/node-down.sh can delete the tables they created; and docker.io, the image builder
# (hack/docker-up.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/install-system-packages.sh" containerd runc containernetworking-plugins iptables ipset \
  conntrack nftables docker.io
