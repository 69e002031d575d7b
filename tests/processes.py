"""The portal's own processes (`manage.py scheduler`, `worker`, `check_keys`) started by tests,
on an SQLite file (tests/worker_settings.py) that the test reads back."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT

MANAGE = [sys.executable, "manage.py"]
WORKER = ["worker", "--no-startup-delay", "--interval", "0.2"]


def process_environment(database: Path, sandbox, **variables: str) -> dict[str, str]:
    """This process's environment without PostHog's or the task queue's settings, on `database`
    and the test's sandbox, plus `variables`; the database migrated."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("POSTHOG_", "TASKS_"))},
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "ADMINUI_WORKER_DB": str(database),
        "SANDBOX_PORT": str(sandbox.port),
        **variables,
    }
    subprocess.run([*MANAGE, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    return env


@contextmanager
def running(env: dict[str, str], *commands: list[str]) -> Iterator[list[subprocess.Popen]]:
    """The commands running side by side until the block ends (their stdout piped)."""
    processes = [
        subprocess.Popen([*MANAGE, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for args in commands
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """One `manage.py` command run to its end."""
    return subprocess.run(
        [*MANAGE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def query(database: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of the processes' SQLite database, read as they left it."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchall()
