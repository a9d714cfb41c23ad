#!/usr/bin/env bash
# Installs schemathesis, the outside judge of the app's OpenAPI document (see
# app/test/api/schemathesis.int.test.ts), from PyPI into a virtualenv in the cache: exactly the
# pins of hack/schemathesis-requirements.txt, once per version of that file. Prints the
# virtualenv's python, which the test runs as `python -m schemathesis.cli`. Chosen because it
# derives its cases from the document the app serves (a route is fuzzed as soon as it is
# declared) and holds every answer to that same document, which hand-written tests cannot keep up
# with.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

requirements="$here/schemathesis-requirements.txt"
key="$(sha256sum "$requirements" | cut -c1-12)"
version="$(sed -n 's/^schemathesis==//p' "$requirements")"
[[ -n "$version" ]] || die "$requirements pins no schemathesis version"
venv="$fintrack_cache/schemathesis-$version-$key"
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import schemathesis.cli' 2>/dev/null; then
  log "schemathesis $version already installed in $venv"
  echo "$venv/bin/python"
  exit 0
fi
started=$SECONDS
# --no-deps: the file lists the whole closure, so nothing unpinned can slip in; pip check proves
# the list complete.
make_python_venv "$venv" "schemathesis" --no-deps -r "$requirements"
"$venv/bin/python" -m pip check >&2 || die "$requirements is not a complete set of pins"
"$venv/bin/python" -m schemathesis.cli --version >&2
log "installed schemathesis $version in $venv in $((SECONDS - started)) s"
echo "$venv/bin/python"
