#!/usr/bin/env bash
# `make run`: migrate, then serve the portal and its background worker (AI summaries); in sandbox
# mode (neither POSTHOG_HOST nor ADMINUI_ENVIRONMENTS_FILE) also start the PostHog sandbox, point
# the portal at its two projects (Production and Staging) with an environments file, and create
# the demo accounts. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8001}

sandbox_mode=
if [[ -z "${POSTHOG_HOST:-}" && -z "${ADMINUI_ENVIRONMENTS_FILE:-}" ]]; then
  sandbox_mode=1
  # Written afresh each run (the sandbox's port may differ), removed on exit.
  environments_dir=$(mktemp -d)
  ADMINUI_ENVIRONMENTS_FILE=$($PY -m adminui.demo_project "$environments_dir" "http://127.0.0.1:$SANDBOX_PORT")
  export ADMINUI_ENVIRONMENTS_FILE
fi

$PY manage.py migrate --no-input -v 0
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; [[ -n "${environments_dir:-}" ]] && rm -rf "$environments_dir"' EXIT INT TERM

if [[ -n "$sandbox_mode" ]]; then
  $PY manage.py sandbox --port "$SANDBOX_PORT" &
  pids+=($!)
  $PY manage.py demo_users
  login="Log in as admin, editor or viewer (password: adminui-demo). Two PostHog projects: Production (/sandbox/) and Staging (/staging/)."
  echo "  The sandbox acts as the newest PostHog. For older PostHog's integration access (Google Ads, LinkedIn Ads, Twilio and connecting with an API key): curl -X POST -H 'X-Sandbox-Control: 1' -d '{\"legacy_integration_access\": true}' http://127.0.0.1:$SANDBOX_PORT/_sandbox/switches (or: manage.py sandbox --legacy-integration-access)"
else
  login="Log in with your adminui account (create one with: .venv/bin/python manage.py createsuperuser)."
fi

# The worker runs queued background tasks (django.tasks, database backend): AI summaries;
# `worker` is db_worker plus the heartbeat that /readyz reads.
if [[ "${TASKS_BACKEND:-database}" == "database" ]]; then
  # The key-health sweep's worker checks the demo's keys a second apart (not up to 10 s), so
  # the first sweep's alerts show within half a minute.
  KEY_CHECK_SPREAD_SECONDS=${KEY_CHECK_SPREAD_SECONDS:-1} $PY manage.py worker --no-startup-delay &
  pids+=($!)
  # The scheduler queues the key-health sweep; the first runs soon, so a failing demo key shows.
  KEY_CHECK_FIRST_DELAY_SECONDS=${KEY_CHECK_FIRST_DELAY_SECONDS:-5} $PY manage.py scheduler &
  pids+=($!)
fi

echo
echo "  adminui is starting at http://$HOST:$PORT/"
echo "  $login"
echo
$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)
wait -n "${pids[@]}"
