"""The portal's settings for the benchmarks: production's, on a throwaway SQLite file.

Production's database and cache are PostgreSQL and Redis; the stand-ins here are SQLite and the
local-memory cache, used the way production uses its own: connections kept open between requests
(dj_database_url's conn_max_age=60 in adminui/settings.py) and sessions read through the cache
(`cached_db`, production's engine whenever CACHE_URL names Redis)."""

from __future__ import annotations

import os

from adminui.settings import *  # noqa: F403
from adminui.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_FILE"]
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# The portal's URLs and the benchmarks' floor pages (bench/urls.py).
ROOT_URLCONF = "bench.urls"
