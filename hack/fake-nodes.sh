#!/usr/bin/env bash
# Creates N kwok fake nodes that accept any pod: no NoSchedule taint, room for many pods, and one
# zone each so topology spread constraints have something to spread over.
set -euo pipefail
kubeconfig="$1" kubectl="$2" count="${3:-3}"
for i in $(seq 1 "$count"); do
  cat <<YAML
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    topology.kubernetes.io/zone: zone-$i
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "500", ephemeral-storage: 1Ti}
  capacity: {cpu: "32", memory: 256Gi, pods: "500", ephemeral-storage: 1Ti}
YAML
done | "$kubectl" --kubeconfig "$kubeconfig" apply -f - >/dev/null
