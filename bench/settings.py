"""The portal's settings for the benchmarks: production's, on a throwaway SQLite file."""

from __future__ import annotations

import os

from adminui.settings import *  # noqa: F403
from adminui.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_FILE"]
