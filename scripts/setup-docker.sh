#!/usr/bin/env bash
# Make a Docker engine and the base image debian:bookworm-slim available on this host.
# Idempotent and quiet when everything is already there. Needs root on a Debian host.
set -euo pipefail

log() { echo "setup-docker: $*" >&2; }
BASE_IMAGE="debian:bookworm-slim"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/harness-dockerd.log}"

have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f /var/lib/apt/periodic/harness-updated ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock | grep -v partial)" ]; then
    apt-get update -qq >/dev/null
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/harness-updated
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. The engine.
if ! docker info >/dev/null 2>&1; then
  if ! have dockerd || ! have debootstrap || ! have iptables; then
    log "installing docker.io, iptables, debootstrap from Debian"
    apt_install docker.io iptables debootstrap ca-certificates
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid: dockerd must outlive this script and the shell that ran it.
    setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not answer within 60 s; last lines of $DOCKERD_LOG:"
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    exit 3
  fi
fi

# 2. The base image every project image is built FROM.
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if timeout 20 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
    log "pulled $BASE_IMAGE"
  else
    have debootstrap || apt_install debootstrap
    dir=$(mktemp -d /tmp/harness-rootfs.XXXXXX)
    trap 'rm -rf "$dir"' EXIT
    log "building $BASE_IMAGE offline with debootstrap (2-4 minutes)"
    debootstrap --variant=minbase bookworm "$dir" >/tmp/harness-debootstrap.log 2>&1 || {
      log "debootstrap failed; last lines of /tmp/harness-debootstrap.log:"; tail -n 20 /tmp/harness-debootstrap.log >&2; exit 3; }
    # Slim it down the way the official -slim image is: no apt lists, docs or caches.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
    tar -C "$dir" -c . | docker import - "$BASE_IMAGE" >/dev/null
    log "imported $BASE_IMAGE"
  fi
fi
