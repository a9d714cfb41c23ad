# Shared helpers for hack/ scripts. Sourced, never run.
# shellcheck shell=bash
# shellcheck disable=SC2034 # repo_root is for the scripts that source this file
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fintrack_cache="${FINTRACK_CACHE:-$HOME/.cache/fintrack}"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The folder holding the pinned control-plane binaries, keyed by every pin that goes into them.
control_plane_bin_dir() {
  echo "$fintrack_cache/control-plane/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION/bin"
}

# The folder holding the pinned binaries of a real node, keyed by every pin that goes into them.
node_bin_dir() {
  local key="k8s-$K8S_VERSION-coredns-$COREDNS_VERSION-kube-router-$KUBE_ROUTER_VERSION"
  key+="-local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION-metrics-server-$METRICS_SERVER_VERSION"
  echo "$fintrack_cache/kube-node/$key/bin"
}

# The folder holding the pinned monitoring binaries (hack/build-monitoring.sh).
monitoring_bin_dir() {
  echo "$fintrack_cache/monitoring/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION-prometheus-$PROMETHEUS_VERSION"
}

# Prometheus vX.Y.Z's Go module version: v0.X0Y.Z (v3.5.0 is v0.305.0).
prometheus_module_version() {
  local v="${PROMETHEUS_VERSION#v}" major minor patch
  IFS=. read -r major minor patch <<<"$v"
  printf 'v0.%d%02d.%d\n' "$major" "$minor" "$patch"
}

# Writes into DIR, and resolves, the one throwaway Go module that every Kubernetes binary here is
# built in, so the control plane and the node share one module graph and one Go build cache.
# Kubernetes' own go.mod points its ~33 staging modules at ./staging paths that are not in the
# module zip, so `go install k8s.io/kubernetes/cmd/...@v` cannot work; replacing each staging module
# with its published v0.X.Y twin is the documented way around it. The node's binaries carry the
# module name "controlplane" too: every binary records it, so a new name would change the control
# plane's. Expects GOTOOLCHAIN=local and GOFLAGS=-mod=mod in the environment.
write_kubernetes_module() {
  local dir="$1" gomod m
  local staging_version="v0.${K8S_VERSION#v1.}"
  local -a staging
  mkdir -p "$dir"
  log "reading the staging module list from k8s.io/kubernetes@$K8S_VERSION"
  gomod="$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
    | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
  [[ -f "$gomod" ]] || die "go mod download gave no go.mod for k8s.io/kubernetes@$K8S_VERSION"
  mapfile -t staging < <(sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod")
  [[ ${#staging[@]} -gt 20 ]] || die "found only ${#staging[@]} staging modules in $gomod"
  {
    echo "module fintrack.local/controlplane"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for m in "${staging[@]}"; do echo "	$m => $m $staging_version"; done
    echo ")"
    echo
    echo "tool ("
    echo "	k8s.io/kubernetes/cmd/kube-apiserver"
    echo "	k8s.io/kubernetes/cmd/kube-controller-manager"
    echo "	k8s.io/kubernetes/cmd/kube-scheduler"
    echo "	k8s.io/kubernetes/cmd/kubectl"
    echo "	k8s.io/kubernetes/cmd/kubelet"
    echo "	k8s.io/kubernetes/cmd/kube-proxy"
    # etcd's main package: kubernetes already requires etcd $ETCD_VERSION, so MVS keeps that version.
    echo "	go.etcd.io/etcd/server/v3"
    echo ")"
  } >"$dir/go.mod"
  log "resolving the module graph"
  (cd "$dir" && go mod tidy)
}

# Builds the Kubernetes commands PKG... of the module in DIR into OUT, stamped with $K8S_VERSION as
# its release build does. Every Kubernetes binary goes through here: the same tags and flags are
# what lets one build reuse the packages another compiled.
build_kubernetes() {
  local dir="$1" out="$2" pkg minor ldflags="-s -w"
  shift 2
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$dir" && go build -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$out" "$@")
}

# Sends SIGTERM to a PID and waits for it to go (WAIT seconds, default 30), then SIGKILL. A stale
# PID file may name a PID reused by another program: only a process whose name starts with COMM
# is stopped.
stop_pid() {
  local pid="$1" what="$2" comm="$3" wait="${4:-30}"
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm"* ]] || return 0
  log "stopping $what (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq $((wait * 5))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  log "$what did not stop in $wait s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

# Creates the Python virtualenv VENV for WHAT with `pip install PIP_ARGS...`, built beside it and
# moved into place, so an interrupted install never leaves a half-made one. A venv's python finds
# its packages through pyvenv.cfg beside it, so `VENV/bin/python -m <module>` survives the move;
# the console scripts in VENV/bin do not (their #! names the folder they were built in).
make_python_venv() {
  local venv="$1" what="$2" python partial="$1.partial"
  shift 2
  python="$(command -v python3 || true)"
  [[ -n "$python" ]] || die "python3 is needed for $what (apt-get install python3-venv)"
  rm -rf "$partial"
  "$python" -m venv "$partial" >&2 || die "python3 -m venv failed (apt-get install python3-venv)"
  "$partial/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  rm -rf "$venv"
  mv "$partial" "$venv"
}

# Stops every process still running from a kwokctl work folder. kwokctl's delete can leave a
# component behind (a kwok-controller seen here outlived its cluster), and one left from an older
# cluster keeps acting on the next: it played the real node's pods and broke its add-ons.
stop_strays() {
  local workdir="$1" pids
  mapfile -t pids < <(pgrep -f -- "$workdir/" || true)
  [[ ${#pids[@]} -gt 0 ]] || return 0
  log "stopping ${#pids[@]} process(es) left from $workdir"
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 25); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}
