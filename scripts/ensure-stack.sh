#!/usr/bin/env bash
# `make stack` and its end-to-end tests use Debian's PostgreSQL, Redis, HAProxy and openssl.
# Install the missing ones when we are root; else say how (the tests then skip, saying why).
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
command -v openssl >/dev/null || missing+=(openssl)
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} from Debian for the production stack..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The production stack needs ${missing[*]}: run 'sudo apt-get install ${missing[*]}'." \
     "Its end-to-end tests will be skipped until then." >&2
