"""End to end through the production stack (deploy/stack.py): HAProxy with TLS in front of two
gunicorn instances, PostgreSQL, Redis, the worker and the sandbox, started once for this module.

A person logs in, adds a key, validates it and has a summary made, with requests answered by
both instances; an instance stops in the middle of a run of requests and none fails; Redis and
then PostgreSQL restart and the portal says what is happening and comes back.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests

from adminui.accounts.demo import DEMO_PASSWORD
from adminui.sandbox.demo import EVAL_ANSWER_RELEVANCE
from deploy.stack import PYTHON, ROOT, Ports, Stack

KEYS = "/sandbox/keys/"


def missing_programs() -> list[str]:
    programs = {
        "postgresql": any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")),
        "redis-server": shutil.which("redis-server"),
        "haproxy": shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists(),
        "openssl": shutil.which("openssl"),
    }
    return [name for name, found in programs.items() if not found]


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    if missing_programs():
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-stack.sh")], check=False)
    if missing := missing_programs():
        pytest.skip(
            f"the production stack needs {', '.join(missing)} from Debian "
            f"(sudo apt-get install {' '.join(missing)}, or run the tests as root)"
        )
    https, http, web1, web2, sandbox, postgres, redis = free_ports(7)
    root = ROOT / "var" / "stack-test"
    shutil.rmtree(root, ignore_errors=True)
    stack = Stack(root, Ports(https, http, (web1, web2), sandbox, postgres, redis))
    try:
        yield stack.start()
    finally:
        stack.stop()


class Person:
    """A browser's worth of state (cookies) talking to the load balancer only."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = requests.Session()
        self.http.verify = str(stack.certificate)
        self.http.trust_env = False  # no proxy from the environment for loopback
        # Django checks the Referer of HTTPS form posts, as a browser sends it.
        self.http.headers["Referer"] = stack.url
        self.request_ids: list[str] = []

    def get(self, path: str, **kwargs) -> requests.Response:
        return self._seen(self.http.get(self.stack.url + path.lstrip("/"), timeout=20, **kwargs))

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        return self._seen(self.http.post(self.stack.url + path.lstrip("/"), data, timeout=20))

    def log_in(self, username: str) -> None:
        self.get("/login/")
        page = self.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        # The stack serves both sandbox projects: home is All environments.
        assert page.status_code == 200 and page.url.endswith("/environments/"), page.url

    def _seen(self, response: requests.Response) -> requests.Response:
        for hop in [*response.history, response]:
            self.request_ids.append(hop.headers["X-Request-ID"])
        return response


def instances_that_answered(stack: Stack, request_ids: list[str]) -> dict[str, int]:
    """How many of these requests each instance logged (its one JSON line per request)."""
    counts = {}
    for name in stack.instance_names():
        lines = (stack.logs / f"{name}.log").read_text().splitlines()
        logged = {json.loads(line).get("request_id") for line in lines if line.startswith("{")}
        counts[name] = sum(request_id in logged for request_id in request_ids)
    return counts


def add_key(person: Person, name: str) -> requests.Response:
    return person.post(
        KEYS + "add/", {"provider": "openai", "name": name, "api_key": f"sk-good-{name}-secret"}
    )


def key_names(person: Person) -> set[str]:
    page = person.get(KEYS + "?per_page=100")
    assert page.status_code == 200
    return set(re.findall(r"e2e-[a-z0-9-]+", page.text))


def test_a_person_works_through_the_load_balancer_and_both_instances_answer(stack):
    person = Person(stack)
    person.log_in("editor")

    added = add_key(person, "e2e-first")
    assert added.status_code == 200
    assert "Key “e2e-first” added. PostHog checked it: valid." in added.text
    key_id = re.search(r"/sandbox/keys/([0-9a-f-]{36})/$", added.url)[1]

    validated = person.post(f"{KEYS}{key_id}/validate/")
    assert validated.status_code == 200
    assert "Key “e2e-first” validated: valid." in validated.text

    asked = person.post(
        f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/summarize/", {"filter": "all"}
    )
    assert asked.status_code == 200
    assert "Summary requested. It runs in the background" in asked.text
    summary_id = re.search(r"[?&]summary=(\d+)", asked.url)[1]
    status = wait_for_summary(person, summary_id)
    assert status == "succeeded"

    # The session, its messages and the summary were shared: the instances took turns.
    counts = instances_that_answered(stack, person.request_ids)
    assert sum(counts.values()) == len(person.request_ids)
    assert all(count > 0 for count in counts.values()), counts


def wait_for_summary(person: Person, summary_id: str, timeout: float = 30.0) -> str:
    url = f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/summaries/{summary_id}/"
    deadline = time.monotonic() + timeout
    while True:
        status = re.search(r'data-status="(\w+)"', person.get(url).text)[1]
        if status not in ("queued", "running") or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def test_two_workers_share_the_queue_and_never_run_a_task_twice(stack):
    """Both poll every 0.5 s and race for each task; SKIP LOCKED gives each to one of them.
    The summaries are asked one after another: PostHog makes one per project at a time."""
    stack.start_worker("worker2")
    person = Person(stack)
    person.log_in("editor")
    url = f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/summarize/"
    try:
        for which in ("fail", "all", "fail", "all"):
            asked = person.post(url, {"filter": which, "force_refresh": "on"})
            summary_id = re.search(r"[?&]summary=(\d+)", asked.url)[1]
            assert wait_for_summary(person, summary_id) == "succeeded"
    finally:
        stack.services["worker2"].stop()
    with psycopg.connect(stack.postgres.url) as database:
        runs = database.execute(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE %s",
            ["%summarize_evaluation"],
        ).fetchall()
    assert len(runs) == 5  # these four and the first test's
    assert all(status == "SUCCESSFUL" and len(workers) == 1 for status, workers in runs), runs


def test_an_instance_stopping_mid_run_fails_no_request_and_loses_nothing(stack):
    """As in a rolling restart: HAProxy drains web1, then gunicorn stops it gracefully."""
    person = Person(stack)
    person.log_in("editor")
    names = [f"e2e-run-{i}" for i in range(24)]
    done = iter(range(len(names)))
    stopper = threading.Thread(target=stack.stop_instance, args=["web1"])

    def work(name: str) -> list[int]:
        statuses = [add_key(person, name).status_code, person.get(KEYS).status_code]
        if next(done) == 5:  # a quarter of the way: stop web1 while the rest are under way
            stopper.start()
        return statuses

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = [status for pair in pool.map(work, names) for status in pair]
        stopper.join()
        assert not stack.services["web1"].running
        assert statuses == [200] * len(statuses)
        assert set(names) <= key_names(person)
        counts = instances_that_answered(stack, person.request_ids)
        assert counts["web1"] > 0 and counts["web2"] > 0, counts
    finally:
        if stopper.ident is not None:
            stopper.join()
        if not stack.services["web1"].running:
            stack.start_instance("web1")
            stack.wait_until_ready()


def readiness(stack: Stack, instance: int = 0) -> tuple[int, dict]:
    status, body = stack.get(stack.instance_url(instance) + "readyz")
    return status, json.loads(body)


def test_a_redis_restart_keeps_everyone_logged_in_and_readyz_says_so(stack):
    person = Person(stack)
    person.log_in("viewer")
    stack.stop_redis()
    try:
        status, body = readiness(stack)
        assert (status, body["status"]) == (200, "degraded")
        assert body["checks"]["cache"]["status"] == "down"
        # Sessions live in PostgreSQL; Redis only speeds their reads.
        for _ in range(4):
            assert person.get(KEYS).status_code == 200
    finally:
        stack.start_redis()
    stack.wait_until_ready()
    assert readiness(stack)[1]["checks"]["cache"] == {"status": "ok"}
    assert person.get(KEYS).status_code == 200


def test_a_postgres_restart_shows_a_clear_message_and_the_portal_comes_back(stack):
    person = Person(stack)
    person.log_in("editor")
    add_key(person, "e2e-before-restart")
    stack.stop_postgres()
    try:
        status, body = readiness(stack)
        assert status == 503
        assert body["checks"]["database"] == {"status": "down", "reason": "database unavailable"}
        page = person.get(KEYS)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        assert "adminui is temporarily unavailable" in page.text
        assert "Nothing you saved is lost" in page.text
    finally:
        stack.start_postgres()
    stack.wait_until_ready()  # the worker's heartbeat included: it came back by itself
    assert {"e2e-first", "e2e-before-restart"} <= key_names(person)  # still logged in
    asked = person.post(
        f"/sandbox/evaluations/{EVAL_ANSWER_RELEVANCE}/summarize/",
        {"filter": "fail", "force_refresh": "on"},
    )
    assert wait_for_summary(person, re.search(r"[?&]summary=(\d+)", asked.url)[1]) == "succeeded"


def test_the_schedulers_sweep_ran_and_two_instances_never_sweep_at_once(stack):
    """The stack's scheduler queued the first sweep soon after it started and the worker
    ran it to the end on PostgreSQL; then two `check_keys` started together (two instances,
    one database): the lease lets one sweep and the other says a sweep is running."""
    finished = None
    deadline = time.monotonic() + 240
    while finished is None and time.monotonic() < deadline:
        with psycopg.connect(stack.postgres.url) as database:
            finished = database.execute(
                "SELECT id FROM django_tasks_database_dbtaskresult WHERE task_path = %s"
                " AND return_value = %s",
                ["adminui.keys.tasks.sweep_keys", json.dumps("finished")],
            ).fetchone()
        time.sleep(1)
    assert finished, "the scheduled sweep did not finish"
    env = {**os.environ, **stack.portal_env()}
    command = [PYTHON, "manage.py", "check_keys", "--force", "--spread", "1"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for _ in "ab"]
    assert sorted(run.wait(timeout=180) for run in runs) == [0, 2]
