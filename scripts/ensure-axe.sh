#!/usr/bin/env bash
# The accessibility tests inject axe-core (pinned in tests/js/package-lock.json) into each page.
# Install it with npm ci when missing or when the lock file changed; without npm, say how.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"
if [[ -f node_modules/axe-core/axe.min.js && node_modules/.package-lock.json -nt package-lock.json ]]; then
  exit 0
fi
if ! command -v npm >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing npm from Debian for the accessibility tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
if ! command -v npm >/dev/null; then
  echo "The accessibility tests need axe-core: install Node.js with npm, then run" \
       "'npm ci --prefix tests/js'. They will be skipped until then." >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
