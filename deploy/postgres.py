"""The stack's own PostgreSQL cluster, from Debian's packages, managed with pg_ctl.

PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's ``postgres`` user
and its programs run as that user (setpriv). The cluster keeps its data between runs. That
user must reach the cluster's folder: a checkout under a folder only root may enter (what
`mktemp -d` makes) keeps its cluster in the system's temporary folder instead (`cluster_home`).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DATABASE = "adminui"
USER = "adminui"


def postgres_bin(program: str) -> str:
    """A program of the newest PostgreSQL Debian installed (/usr/lib/postgresql/N/bin)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), key=lambda p: int(p.parts[-3])
    )
    if found:
        return str(found[-1])
    if path := shutil.which(program):
        return path
    raise RuntimeError(f"PostgreSQL's {program} is missing: run scripts/ensure-stack.sh as root.")


def as_postgres_user() -> list[str]:
    """The prefix that runs a PostgreSQL program as a non-root user."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


def cluster_home(preferred: Path) -> Path:
    """`preferred`, or, when PostgreSQL's user could not reach it, a folder of the system's
    temporary folder named after it (so each checkout keeps its own cluster between runs)."""
    if os.geteuid() != 0 or _reachable_by_postgres(preferred):
        return preferred
    name = hashlib.sha256(str(preferred.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"adminui-postgres-{name}"


def _reachable_by_postgres(path: Path) -> bool:
    """Whether the postgres user may enter every existing folder on the way to `path`."""
    user = pwd.getpwnam("postgres")
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    for folder in [path.resolve(), *path.resolve().parents]:
        if not folder.exists():
            continue
        mode = folder.stat()
        if mode.st_uid == user.pw_uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid in groups:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


@dataclass(frozen=True)
class Cluster:
    data: Path  # the data directory
    run: Path  # its Unix socket and the password file while initdb runs
    log: Path
    port: int
    password: str

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self._init()
        self.stop()  # one left over from a killed run
        self.log.touch()
        _give_to_postgres(self.log)
        options = f"-p {self.port} -k {self.run} -c listen_addresses=127.0.0.1"
        self._pg_ctl("start", "-w", "-l", str(self.log), "-o", options)
        self._create_database()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "fast", check=False)

    def _init(self) -> None:
        for folder in (self.data, self.run):
            folder.mkdir(parents=True, exist_ok=True)
            _give_to_postgres(folder)
        self.data.chmod(0o700)
        password_file = self.run / "password"
        password_file.write_text(self.password)
        _give_to_postgres(password_file)
        initdb = [postgres_bin("initdb"), "-D", str(self.data), "-U", USER]
        options = [f"--pwfile={password_file}", "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"]
        try:
            subprocess.run(
                [*as_postgres_user(), *initdb, *options], check=True, stdout=subprocess.DEVNULL
            )
        finally:
            password_file.unlink()

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*as_postgres_user(), postgres_bin("pg_ctl"), "-D", str(self.data), *args],
            check=check,
            stdout=subprocess.DEVNULL,
            stderr=None if check else subprocess.DEVNULL,
        )

    def _create_database(self) -> None:
        import psycopg

        dsn = (
            f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres password={self.password}"
        )
        with psycopg.connect(dsn, autocommit=True) as connection:
            query = "SELECT 1 FROM pg_database WHERE datname = %s"
            if connection.execute(query, [DATABASE]).fetchone() is None:
                connection.execute(f"CREATE DATABASE {DATABASE}")


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
