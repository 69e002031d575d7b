#!/usr/bin/env bash
# The sign-in tests start a real OpenID Connect provider (tests/oidc: oidc-provider on Node.js).
# Install Node.js from Debian when missing and we are root, then the provider's node_modules.
set -euo pipefail
cd "$(dirname "$0")/../tests/oidc"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Node.js from Debian for the sign-in tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "The sign-in tests need Node.js and npm: run 'sudo apt-get install nodejs npm'." \
         "They will be skipped until then." >&2
    exit 0
  fi
fi
# npm writes node_modules/.package-lock.json at each install: reinstall when the lock is newer.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing the test OpenID Connect provider (npm ci in tests/oidc)..."
  npm ci --no-audit --no-fund --loglevel=error
fi
