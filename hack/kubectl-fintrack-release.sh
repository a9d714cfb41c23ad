#!/usr/bin/env bash
# Packs kubectl-fintrack for a release into OUT_DIR:
#   kubectl-fintrack-<version>.tgz          the npm package (`npm publish` uploads this file)
#   kubectl-fintrack-v<version>.tar.gz      the krew archive: that package installed with its
#                                           production dependencies, run by the user's Node.js
#   fintrack.yaml                           the krew manifest, pointing at the archive by
#                                           RELEASE_URL/<archive> with its sha256
# Usage: hack/kubectl-fintrack-release.sh OUT_DIR [RELEASE_URL]
# The release workflow runs it; operator/test/e2e/kubectl-fintrack.int.test.ts runs the archive.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
cd "$repo_root"

out="${1:?usage: $0 OUT_DIR [RELEASE_URL]}"
package=operator/kubectl-fintrack
version="$(node -p "require('./$package/package.json').version")"
release_url="${2:-https://github.com/fintrack/fintrack/releases/download/v$version}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# prepack compiles the TypeScript into dist/: Node strips no types under node_modules.
npm pack --workspace "$package" --pack-destination "$out" --loglevel=warn >/dev/null
tarball="$out/kubectl-fintrack-$version.tgz"
[[ -f "$tarball" ]] || die "npm pack left no $tarball"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# Outside the workspace, so the install takes the tarball's own dependency ranges. The npm cache
# that `npm ci` filled answers most of it.
npm install --prefix "$stage" --omit=dev --no-package-lock --no-audit --no-fund \
  --prefer-offline --loglevel=warn "$tarball" >&2
# krew extracts regular files and directories only: npm's .bin links go (the manifest names the
# program itself), and any other link would fail the install.
rm -rf "$stage/node_modules/.bin"
links="$(find "$stage/node_modules" -type l)"
[[ -z "$links" ]] || die "the krew archive would hold symbolic links: $links"
archive="$out/kubectl-fintrack-v$version.tar.gz"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$archive" node_modules
sha256="$(sha256sum "$archive" | cut -d' ' -f1)"

sed -e "s|{{VERSION}}|$version|g" \
  -e "s|{{URI}}|$release_url/$(basename "$archive")|g" \
  -e "s|{{SHA256}}|$sha256|g" \
  "$package/krew/fintrack.yaml" >"$out/fintrack.yaml"
log "kubectl-fintrack $version: $(basename "$tarball"), $(basename "$archive") and fintrack.yaml in $out"
