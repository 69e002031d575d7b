"""Settings for a worker process started by the tests: the portal's own, on a given SQLite file.

The test database lives in memory in the test process, which another process cannot open, so
tests/test_summary_worker.py builds a file database for the worker with these settings.
"""

import os

from adminui.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["ADMINUI_WORKER_DB"],
    }
}
