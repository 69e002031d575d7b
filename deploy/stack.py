"""`make stack`: the production shape on this machine, from Debian's packages.

PostgreSQL (its own cluster), Redis, two portal instances under gunicorn, HAProxy in front of
them with TLS, the background worker and the PostHog sandbox, all on loopback ports, with data
and logs under var/stack/. `python -m deploy.stack` runs it until Ctrl-C; the end-to-end tests
(tests/test_stack_*.py) drive the same `Stack` and stop and start its parts.

PostgreSQL runs as Debian's ``postgres`` user when the stack is started as root (see
`deploy.postgres`); everything else runs as whoever starts the stack.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from string import Template

from adminui.demo_project import write_sandbox_environments
from deploy.postgres import Cluster, cluster_home
from deploy.processes import ROOT, Service, wait_for_port

DEPLOY = ROOT / "deploy"
PYTHON = sys.executable
DEMO_LOGINS = "admin, editor or viewer (password: adminui-demo)"
# One worker is enough: PostHog makes one summary per project at a time. The tests start a
# second to show that two never run one task.
WORKERS = ("worker",)


@dataclass(frozen=True)
class Ports:
    https: int = 8443
    http: int = 8080
    web: tuple[int, ...] = (8101, 8102)
    sandbox: int = 8111
    postgres: int = 55432
    redis: int = 56379


class Stack:
    def __init__(self, root: Path | None = None, ports: Ports | None = None) -> None:
        self.root = root or ROOT / "var" / "stack"
        self.ports = ports or Ports()
        self.logs = self.root / "logs"
        self.services: dict[str, Service] = {}
        self._secrets: dict[str, str] = {}

    # ------------------------------------------------------------------------------------
    # Addresses

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}/"

    @property
    def certificate(self) -> Path:
        return self.root / "tls" / "cert.pem"

    @property
    def environments_file(self) -> Path:
        return self.root / "environments" / "environments.toml"

    @property
    def admin_socket(self) -> Path:
        return self.root / "haproxy.sock"

    def instance_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports.web[index]}/"

    def instance_names(self) -> list[str]:
        return [f"web{i + 1}" for i in range(len(self.ports.web))]

    def portal_env(self) -> dict[str, str]:
        """The production settings of every portal process (README, "Production")."""
        s = self._secrets
        return {
            "SECRET_KEY": s["secret_key"],
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.url.rstrip("/"),
            "TRUST_X_FORWARDED_PROTO": "true",
            # A self-signed certificate on 127.0.0.1: no HSTS, so a browser is not told to
            # insist on HTTPS for this address for a year.
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_HSTS_PRELOAD": "false",
            "DATABASE_URL": self.postgres.url,
            "CACHE_URL": f"redis://:{s['redis_password']}@127.0.0.1:{self.ports.redis}/0",
            "SANDBOX_PORT": str(self.ports.sandbox),
            # The sandbox's two projects, as `make run` serves them (adminui/demo_project.py).
            "ADMINUI_ENVIRONMENTS_FILE": str(self.environments_file),
            # As `make run`: the first key-health sweep soon after start (the demo's failing keys
            # show at once), a second between keys; production keeps the defaults.
            "KEY_CHECK_FIRST_DELAY_SECONDS": "5",
            "KEY_CHECK_SPREAD_SECONDS": "1",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }

    # ------------------------------------------------------------------------------------
    # Whole stack

    def start(self) -> Stack:
        for folder in (self.root, self.logs, self.root / "redis", self.root / "tls"):
            folder.mkdir(parents=True, exist_ok=True)
        self._load_secrets()
        sandbox_url = f"http://127.0.0.1:{self.ports.sandbox}"
        write_sandbox_environments(self.environments_file.parent, sandbox_url)
        self._make_certificate()
        # Independent steps overlap: each manage.py pays Django's start-up.
        collecting = self._manage_in_background("collectstatic", "--no-input", "-v", "0")
        self.start_postgres()
        self.start_redis()
        self.manage("migrate", "--no-input", "-v", "0")
        demo_users = self._manage_in_background("demo_users")
        self._start(self._sandbox())
        for step, name in ((collecting, "collectstatic"), (demo_users, "demo_users")):
            if step.wait() != 0:
                raise RuntimeError(f"manage.py {name} failed (see above).")
        for name in self.instance_names():
            self.start_instance(name, wait=False)
        for name in WORKERS:
            self.start_worker(name)
        self._start(self._scheduler())
        self._start(self._haproxy())
        self.wait_until_ready()
        return self

    def stop(self) -> None:
        workers = [name for name in self.services if name.startswith("worker")]
        stopping = ["haproxy", "scheduler", *self.instance_names(), *workers, "sandbox", "redis"]
        for name in stopping:
            if name in self.services:
                self.services[name].stop()
        self.stop_postgres()

    def wait_until_ready(self, timeout: float = 90.0) -> None:
        """Until every instance and HAProxy answer /readyz with every part (the worker too) ok."""
        deadline = time.monotonic() + timeout
        urls = [self.instance_url(i) + "readyz" for i in range(len(self.ports.web))]
        pending = [*urls, self.url + "readyz"]
        last = "no answer"
        while pending and time.monotonic() < deadline:
            try:
                status, body = self.get(pending[0])
                last = f"{pending[0]}: {body}"
                if status == 200 and json.loads(body)["status"] == "ok":
                    pending.pop(0)
                    continue
            except (OSError, ValueError) as error:
                last = f"{pending[0]}: {error}"
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"The stack was not ready after {timeout:.0f} s: {last}")
        time.sleep(1.5)  # HAProxy's next health check (every second) sees them up too

    def get(self, url: str) -> tuple[int, str]:
        context = ssl.create_default_context(cafile=str(self.certificate))
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def manage(self, *args: str) -> None:
        if self._manage_in_background(*args).wait() != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed (see above).")

    def _manage_in_background(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.portal_env()},
            stdout=subprocess.DEVNULL,
        )

    # ------------------------------------------------------------------------------------
    # Parts

    @property
    def postgres(self) -> Cluster:
        home = cluster_home(self.root)
        return Cluster(
            data=home / "postgres",
            run=home / "postgres-run",
            # Written by PostgreSQL's user: beside the cluster when it lives elsewhere.
            log=(self.logs if home == self.root else home) / "postgres.log",
            port=self.ports.postgres,
            password=self._secrets["postgres_password"],
        )

    def start_postgres(self) -> None:
        self.postgres.start()

    def stop_postgres(self) -> None:
        self.postgres.stop()

    def start_redis(self) -> None:
        self._start(
            Service(
                "redis",
                [
                    shutil.which("redis-server") or "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.ports.redis),
                    "--dir",
                    str(self.root / "redis"),
                    "--requirepass",
                    self._secrets["redis_password"],
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                self.logs / "redis.log",
            )
        )
        wait_for_port(self.ports.redis)

    def stop_redis(self) -> None:
        self.services["redis"].stop()

    def start_instance(self, name: str, *, wait: bool = True) -> None:
        port = self.ports.web[self.instance_names().index(name)]
        argv = [PYTHON, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")]
        env = {"PORT": str(port), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4"}
        self._start(
            Service(
                name,
                [*argv, "adminui.wsgi:application"],
                self.logs / f"{name}.log",
                {**self.portal_env(), **env},
            )
        )
        if wait:
            wait_for_port(port)
        if self._balancing:
            self.haproxy(f"set server instances/{name} state ready")

    def stop_instance(self, name: str, timeout: float = 10.0) -> None:
        """A rolling restart's stop: drain the instance at HAProxy, then stop it gracefully.

        Without the drain, connections HAProxy opens while gunicorn is stopping can land in
        its listen queue, which no worker accepts any more, and be reset once it exits.
        """
        if self._balancing:
            self.haproxy(f"set server instances/{name} state drain")
            deadline = time.monotonic() + timeout
            while self._sessions_on(name) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.services[name].stop()

    def haproxy(self, command: str) -> str:
        """A command on HAProxy's admin socket (its runtime API), and the answer."""
        with socket.socket(socket.AF_UNIX) as admin:
            admin.connect(str(self.admin_socket))
            admin.sendall(command.encode() + b"\n")
            return b"".join(iter(lambda: admin.recv(65536), b"")).decode()

    @property
    def _balancing(self) -> bool:
        return "haproxy" in self.services and self.services["haproxy"].running

    def _sessions_on(self, name: str) -> int:
        """Requests HAProxy has under way on an instance (`show stat`: CSV, scur column)."""
        rows = self.haproxy("show stat").lstrip("# ").splitlines()
        header = rows[0].split(",")
        for row in rows[1:]:
            fields = dict(zip(header, row.split(","), strict=False))
            if fields.get("pxname") == "instances" and fields.get("svname") == name:
                return int(fields["scur"] or 0)
        return 0

    def _sandbox(self) -> Service:
        argv = [PYTHON, "manage.py", "sandbox", "--port", str(self.ports.sandbox)]
        return Service(
            "sandbox",
            [*argv, "--summary-delay", "0.5"],
            self.logs / "sandbox.log",
            self.portal_env(),
            signal.SIGINT,
        )

    def start_worker(self, name: str) -> None:
        self._start(self._worker(name))

    def _worker(self, name: str) -> Service:
        return Service(
            name,
            [PYTHON, "manage.py", "worker", "--no-startup-delay", "--interval", "0.5"],
            self.logs / f"{name}.log",
            self.portal_env(),
        )

    def _scheduler(self) -> Service:
        """Queues the key-health sweep (`manage.py scheduler`); the worker runs it."""
        return Service(
            "scheduler",
            [PYTHON, "manage.py", "scheduler"],
            self.logs / "scheduler.log",
            self.portal_env(),
        )

    def _haproxy(self) -> Service:
        config = self.root / "haproxy.cfg"
        servers = "\n".join(
            f"    server {name} 127.0.0.1:{port}"
            for name, port in zip(self.instance_names(), self.ports.web, strict=True)
        )
        config.write_text(
            Template((DEPLOY / "haproxy.cfg").read_text()).substitute(
                HTTP_PORT=self.ports.http,
                HTTPS_PORT=self.ports.https,
                CERTIFICATE=self.root / "tls" / "haproxy.pem",
                ERRORFILE_503=DEPLOY / "503.http",
                ADMIN_SOCKET=self.admin_socket,
                SERVERS=servers,
            )
        )
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        return Service("haproxy", [haproxy, "-db", "-f", str(config)], self.logs / "haproxy.log")

    def _start(self, service: Service) -> None:
        self.services[service.name] = service.start()

    # ------------------------------------------------------------------------------------
    # Secrets and the certificate, kept under var/stack/ so a restart finds its data

    def _load_secrets(self) -> None:
        path = self.root / "secrets.json"
        if path.exists():
            self._secrets = json.loads(path.read_text())
            return
        self._secrets = {
            name: secrets.token_urlsafe(32)
            for name in ("secret_key", "postgres_password", "redis_password")
        }
        path.touch(mode=0o600)
        path.write_text(json.dumps(self._secrets))

    def _make_certificate(self) -> None:
        key, combined = self.root / "tls" / "key.pem", self.root / "tls" / "haproxy.pem"
        if combined.exists():
            return
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "365",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(self.certificate),
            ],
            check=True,
            capture_output=True,
        )
        combined.write_bytes(self.certificate.read_bytes() + key.read_bytes())
        combined.chmod(0o600)


def main() -> None:
    stack = Stack()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(
            "Starting PostgreSQL, Redis, the sandbox, two gunicorn instances, the worker, the"
            " scheduler, HAProxy"
        )
        stack.start()
        print(f"\n  adminui (production shape) is at {stack.url}")
        print(f"  (self-signed certificate: {stack.certificate})")
        print(f"  Log in as {DEMO_LOGINS}.")
        print(f"  Logs: {stack.logs}/  Health: {stack.url}healthz, {stack.url}readyz")
        print("  Ctrl-C stops everything.\n")
        while all(service.running for service in stack.services.values()):
            time.sleep(1)
        stopped = [name for name, s in stack.services.items() if not s.running]
        print(f"Stopped by itself: {', '.join(stopped)} (see {stack.logs}/).", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping the stack...")
        stack.stop()


if __name__ == "__main__":
    main()
