#!/usr/bin/env bash
# Installs the S3-compatible server the backup tests run against: moto's server mode (a real HTTP
# implementation of the S3 API, multipart uploads included) from PyPI, into a virtualenv in the
# cache, once per pin. Prints the virtualenv's python, which the test harness runs as
# `python -m moto.server`. Chosen over building MinIO or SeaweedFS from their Go modules: it
# installs in under a minute where those add many minutes of cold build to CI's budget.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

venv="$fintrack_cache/moto-$MOTO_VERSION"
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import moto.server' 2>/dev/null; then
  log "S3 server (moto $MOTO_VERSION) already installed in $venv"
  echo "$venv/bin/python"
  exit 0
fi
started=$SECONDS
make_python_venv "$venv" "the S3 test server" "moto[server,s3]==$MOTO_VERSION"
"$venv/bin/python" -c 'import moto.server'
log "installed moto $MOTO_VERSION in $venv in $((SECONDS - started)) s"
echo "$venv/bin/python"
