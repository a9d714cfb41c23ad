#!/usr/bin/env bash
# Creates N kwok fake nodes that accept any pod: no NoSchedule taint, room for many pods, and one
# zone each so topology spread constraints have something to spread over. Three of them hold the
# requests of about 1,300 default tenants (0.46 CPU and 4 pods each), so that the operator
# benchmark measures the operator rather than running out of fake CPU (at 32 CPUs a node, 300
# tenants stopped at 208 Ready); a pod asking for more than one node's 200 CPUs stays
# unschedulable, as operator/test/e2e/pod-problems.int.test.ts needs.
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
  allocatable: {cpu: "200", memory: 2Ti, pods: "2000", ephemeral-storage: 16Ti}
  capacity: {cpu: "200", memory: 2Ti, pods: "2000", ephemeral-storage: 16Ti}
YAML
done | "$kubectl" --kubeconfig "$kubeconfig" apply -f - >/dev/null
