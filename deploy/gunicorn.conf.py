"""gunicorn settings for adminui: `gunicorn -c deploy/gunicorn.conf.py adminui.wsgi:application`.

Threaded workers (gthread): a portal request mostly waits on PostHog (up to
POSTHOG_LLM_READ_TIMEOUT when PostHog calls an LLM provider), so each process serves several
requests at once from threads that cost little memory, with no monkey-patching of requests or
psycopg as gevent would need. Every value can be overridden on the command line or in
GUNICORN_CMD_ARGS; the bind address defaults to 127.0.0.1:8000 (set PORT, or --bind).
"""

from __future__ import annotations

import os

bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# Longer than the longest PostHog call a request can make (connect + the LLM read timeout, 90 s
# by default), so neither a stuck-worker kill nor a graceful stop cuts one off.
_slowest_call = float(os.environ.get("POSTHOG_CONNECT_TIMEOUT", "3.05")) + float(
    os.environ.get("POSTHOG_LLM_READ_TIMEOUT", "90")
)
timeout = int(_slowest_call) + 30
graceful_timeout = timeout
# For balancers that keep connections to instances open (deploy/haproxy.cfg does not): longer
# than their idle timeout, so the balancer, not gunicorn, closes an idle connection.
keepalive = 20

# The portal writes one JSON line per request itself (adminui.ops.requestlog).
accesslog = None
errorlog = "-"
# The control socket's default path is one per user: two instances on one machine would share
# it, and nothing here uses it.
control_socket_disable = True
