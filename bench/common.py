"""What the benchmarks share: the sandbox with latency, an inventory of many keys, the portal
under its production server (gunicorn with deploy/gunicorn.conf.py, SQLite, local-memory
cache: no PostgreSQL or Redis needed), a signed-in session, percentiles and bytes on the wire."""

from __future__ import annotations

import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def start_sandbox(latency: float = 0.0):
    """The PostHog sandbox in this process; `latency` seconds are added to every API call."""
    from adminui.sandbox.server import SandboxServer

    sandbox = SandboxServer(port=0).start()
    # PostHog's rate limits would answer a benchmark's hundreds of calls with 429s.
    sandbox.switch(throttles=False)
    if latency:
        sandbox.faults.add(r"^/api/", latency=latency)  # every API path; control paths stay fast
    return sandbox


def grow_inventory(sandbox, count: int) -> None:
    """Replace the sandbox's keys with `count` realistic ones."""
    from adminui.sandbox.state import ProviderKey

    providers = ["openai", "anthropic", "gemini", "openrouter", "azure_openai"]
    states = ["ok", "ok", "ok", "invalid", "error", "unknown"]
    now = datetime.now(UTC)
    with sandbox.state.lock:
        sandbox.state.provider_keys.clear()
        for index in range(count):
            key = ProviderKey(
                id=str(uuid.UUID(int=index + 1, version=4)),
                provider=providers[index % len(providers)],
                name=f"{['prod', 'staging', 'batch'][index % 3]}-{index:05d}",
                api_key=f"sk-bench-{index:012d}",
                state=states[index % len(states)],
                error_message=None,
                created_at=now - timedelta(hours=index),
                created_by=None,
            )
            sandbox.state.provider_keys[key.id] = key


@dataclass
class Portal:
    """The portal under gunicorn, and a Viewer's session cookie for it."""

    url: str
    session: requests.Session
    process: subprocess.Popen
    workers: int

    def get(self, path: str, *, htmx: bool = False, **params) -> requests.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        response = self.session.get(
            self.url + path, params=params, headers=headers, timeout=60, allow_redirects=False
        )
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered HTTP {response.status_code}.")
        return response

    def cpu_seconds(self) -> float:
        """CPU time gunicorn's master and workers have used so far (user + system)."""
        pids = [self.process.pid, *self._worker_pids()]
        ticks = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def _worker_pids(self) -> list[str]:
        pid = self.process.pid
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()

    def worker_peak_memory_mib(self) -> float:
        """The largest peak resident size (VmHWM) among gunicorn's worker processes."""
        peaks = []
        for pid in self._worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)


def portal_env(sandbox_port: int, database: Path, port: int, workers: int, threads: int) -> dict:
    """Production settings (DEBUG off, WhiteNoise, compressed HTML) over plain HTTP on loopback."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("POSTHOG_", "DJANGO_"))}
    keep.pop("DATABASE_URL", None)
    keep.pop("CACHE_URL", None)
    return keep | {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE_FILE": str(database),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "false",
        "SANDBOX_PORT": str(sandbox_port),
        # As production logs: one JSON line per request (into the log file, not the terminal).
        "LOG_LEVEL": "INFO",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
    }


@contextmanager
def production_portal(sandbox, *, workers: int = 2, threads: int = 8) -> Iterator[Portal]:
    """gunicorn (deploy/gunicorn.conf.py) serving the portal against `sandbox`, with a fresh
    SQLite database and a Viewer signed in; stopped on exit."""
    database = Path(tempfile.mkdtemp(prefix="adminui-bench-")) / "bench.sqlite3"
    port = free_port()
    env = portal_env(sandbox.port, database, port, workers, threads)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    cookie = (
        subprocess.run(
            [sys.executable, "-c", SIGN_IN], cwd=ROOT, env=env, check=True, capture_output=True
        )
        .stdout.decode()
        .strip()
    )
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    log = database.with_name("portal.log").open("w")
    process = subprocess.Popen(
        [*gunicorn, "adminui.wsgi:application"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url + "/healthz")
        except SystemExit:
            print(Path(log.name).read_text()[-4000:], file=sys.stderr)  # why it did not start
            raise
        print(f"The portal's log: {log.name}")
        session = requests.Session()
        # Set as a header: the cookie is Secure (production), and this is plain HTTP on loopback.
        session.headers["Cookie"] = f"sessionid={cookie}"
        session.headers["Accept-Encoding"] = "br, gzip"
        yield Portal(url, session, process, workers)
    finally:
        process.terminate()
        process.wait(timeout=30)


# A Viewer's session, made in the bench database (run with the portal's environment).
SIGN_IN = """
import django; django.setup()
from django.contrib.auth.models import Group, User
from django.test import Client
user = User.objects.create_user("bench")
user.groups.add(Group.objects.get(name="Viewer"))
client = Client()
client.force_login(user)  # a login as the portal stamps it (adminui/accounts/sessions.py)
print(client.cookies["sessionid"].value)
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its workers still booting
            pass
        time.sleep(0.1)
    raise SystemExit(f"The portal did not answer {url} within {timeout:.0f} s.")


def wire_bytes(session: requests.Session, url: str, headers: dict | None = None) -> int:
    """The body's size as sent (compressed), not as decoded."""
    response = session.get(url, headers=headers or {}, stream=True, timeout=60)
    return len(response.raw.read(decode_content=False))
