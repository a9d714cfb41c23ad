#!/usr/bin/env bash
# Stops the Prometheus Operator of hack/monitoring-up.sh. Run after the Prometheus objects are
# gone (their finalizers are the operator's). Safe to run when it is not running.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=node/lib.sh
source "$here/node/lib.sh"

# /proc's comm holds 15 characters: "prometheus-oper".
pid="$(cat "$node_dir/pids/prometheus-operator" 2>/dev/null || true)"
[[ -z "$pid" ]] || stop_pid "$pid" "the Prometheus Operator" prometheus-oper
rm -f "$node_dir/pids/prometheus-operator"
