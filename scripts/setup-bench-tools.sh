#!/usr/bin/env bash
# Peers the benchmarks measure against (npm run bench): wrk (a C load generator) and nginx-light (the
# HTTP upstream of bench:proxy and bench:load). Not needed by the tests. Idempotent and quiet when
# everything is already there. The official Toxiproxy is not packaged anywhere this machine can reach;
# bench:proxy measures it when TOXIPROXY_SERVER names a toxiproxy-server binary.
set -euo pipefail
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-bench-tools: installing ${need[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts the packaged nginx service on install where it can; the benches run their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi
