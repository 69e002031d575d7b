"""gunicorn settings for adminui: `gunicorn -c deploy/gunicorn.conf.py adminui.wsgi:application`.

Threaded workers (gthread): a portal request mostly waits on PostHog (within the request's
budget, POSTHOG_WEB_BUDGET), so each process serves several
requests at once from threads that cost little memory, with no monkey-patching of requests or
psycopg as gevent would need. Every value can be overridden on the command line or in
GUNICORN_CMD_ARGS; the bind address defaults to 127.0.0.1:8000 (set PORT, or --bind).
"""

from __future__ import annotations

import os

bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
worker_class = "gthread"
# One process per core: a cached page is CPU-bound Python, which one process runs on one core at a
# time. On the 2-core bench machine 4 processes x 4 threads spent more CPU per request than 2 x 8
# (bench/pages.py prints it), and 8 threads per process keep 16 PostHog waits in flight.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# The portal's WEB_TIMEOUT (adminui/settings.py): every web request's PostHog calls share a
# budget below it (POSTHOG_WEB_BUDGET) and answer with a clear message when it runs out, so a
# worker is never killed in the middle of a call. Read from the same variable, same default.
timeout = int(float(os.environ.get("WEB_TIMEOUT", "120")))
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
