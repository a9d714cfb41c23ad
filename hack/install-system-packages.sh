#!/usr/bin/env bash
# Installs the Debian packages the test bed needs, once: PostgreSQL, Redis, Chromium, openssl,
# promtool (in `prometheus`) to check the alerting rules and /metrics output, python3-venv for
# the S3 test server and the API fuzzer (hack/install-s3-server.sh, hack/install-schemathesis.sh),
# and shellcheck, through which actionlint checks the workflows' run: scripts (hack/actionlint.sh).
# With arguments, installs those packages instead (hack/node-up.sh and hack/docker-up.sh name theirs).
# Idempotent: does nothing when every package is already installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

if [[ $# -gt 0 ]]; then
  packages=("$@")
else
  packages=(postgresql redis-server fonts-dejavu-core openssl ca-certificates procps prometheus python3-venv
    shellcheck)
  # Debian ships Chromium as a package; Ubuntu only as a snap, but its CI images carry Google Chrome,
  # which the browser harness finds on its own.
  if [[ -x /usr/bin/google-chrome ]] && grep -qi '^ID=ubuntu' /etc/os-release 2>/dev/null; then
    log "using the preinstalled Google Chrome instead of Debian's chromium"
  else
    packages+=(chromium)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  log "system packages present: ${packages[*]}"
  exit 0
fi

sudo=""
[[ "$(id -u)" == 0 ]] || sudo="sudo"
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another install may hold dpkg's lock (hack/ scripts run side by side): wait for it.
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
# policy-rc.d keeps the packages' own postinst from starting system-wide servers we never use:
# the test harness starts private instances on free ports.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed ${missing[*]}"
