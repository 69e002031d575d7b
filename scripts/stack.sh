#!/usr/bin/env bash
# `make stack`: the production shape on this machine (deploy/stack.py): PostgreSQL, Redis, two
# gunicorn instances behind HAProxy, the worker and the PostHog sandbox. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-stack.sh
exec .venv/bin/python -m deploy.stack
