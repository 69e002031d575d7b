"""Shared fixtures and helpers: the PostHog sandbox over loopback, personas for the three roles,
the headers htmx sends, and calls to the sandbox's API."""

from __future__ import annotations

import html
import json
import os
import re
import socket
import threading
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from adminui.demo_project import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID, STAGING_PROJECT_ID
from adminui.sandbox.server import SandboxServer

# Real-browser fixtures (`browser`, `page`) for the tests that click through flows; the
# key-health fixtures (`quick_checks`, `snapshots`).
pytest_plugins = ["tests.browser", "tests.key_health"]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))

# What htmx adds to every request it makes.
HTMX = {"HX-Request": "true"}


def htmx_for(target: str) -> dict[str, str]:
    """htmx's headers for a request that swaps the element with id `target`."""
    return HTMX | {"HX-Target": target}


def listed_key_names(response) -> list[str]:
    """The key names a key list's rows show, in order (from its HTML: a region drawn before
    comes from the cache, without a template context)."""
    cells = re.findall(
        r'<td class="cell-name">\s*<a href="[^"]*"><strong>(.*?)</strong>',
        response.content.decode(),
    )
    return [html.unescape(name) for name in cells]


def validate_in_the_background(user, key_id: str) -> None:
    """A validation made for `user` outside any web request: the bulk validation's task, run
    at once as the worker would run it (a write through the portal all the same)."""
    from django.test import override_settings

    from adminui.keys.tasks import queue_bulk_validation
    from adminui.posthog import get_client, get_environment
    from tests.summary_helpers import IMMEDIATE

    environment = get_environment()
    key = get_client(environment).get_provider_key(key_id)
    with override_settings(TASKS=IMMEDIATE):
        queue_bulk_validation(user, environment, [key])


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


AUTH = bearer(DEMO_PERSONAL_API_KEY)  # the sandbox's demo key, every scope


def sandbox_api(sandbox, method: str, path: str, **kwargs) -> requests.Response:
    """A request straight to the sandbox's API, with the demo key."""
    return requests.request(method, sandbox.api_url(path), headers=AUTH, timeout=10, **kwargs)


def hog_validation_error(detail: str, attr: str | None = None, code: str = "invalid_input") -> dict:
    """A 400 body as drf-exceptions-hog shapes it."""
    return {"type": "validation_error", "code": code, "detail": detail, "attr": attr}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_configure() -> None:
    from django.conf import settings

    # Hashing passwords properly is slow by design; every test creates users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    serialize_sqlite_statements()
    serve_one_request_at_a_time()


def serve_one_request_at_a_time() -> None:
    """A live server whose threads share the test's in-memory SQLite connection answers one
    request at a time (each still on a thread of its own, so kept-alive connections wait for
    nobody). Its transactions and commits are shared too, which no lock around statements
    makes safe: two rows validated at once, one request found no session and was sent to the
    login page. On a database file or PostgreSQL each thread has its own connection, and
    requests run at the same time (`make resilience` holds them to the PostHog timeouts)."""
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    lock = threading.Lock()

    class OneRequestAtATime(ThreadedWSGIServer):
        def set_app(self, application) -> None:
            if not self.connections_override:
                return super().set_app(application)

            def serialized(environ, start_response):
                with lock:
                    return application(environ, start_response)

            super().set_app(serialized)

    LiveServerThread.server_class = OneRequestAtATime


def serialize_sqlite_statements() -> None:
    """One SQLite statement at a time in this process. The live server's request threads share
    the test's in-memory connection (pytest-django hands it to them), and Django's docs warn
    that simultaneous queries on a shared connection fail at random: two rows validated at once
    met "bad parameter or other API misuse"."""
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    lock = threading.RLock()
    for name in ("execute", "executemany"):
        original = getattr(SQLiteCursorWrapper, name)

        def serialized(self, *args, _original=original):
            with lock:
                return _original(self, *args)

        setattr(SQLiteCursorWrapper, name, serialized)


def unconfigured_environment() -> dict[str, str]:
    """This process's environment without adminui's settings, for a `manage.py` subprocess."""
    settings_variables = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL"}
    settings_variables |= {"ADMINUI_ENVIRONMENTS_FILE"}
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("POSTHOG_", "DJANGO_")) and name not in settings_variables
    }


@pytest.fixture
def immediate(settings):
    """Tasks run inside the request, so the answer is stored before the page is shown."""
    from tests.summary_helpers import IMMEDIATE

    settings.TASKS = IMMEDIATE


@pytest.fixture(scope="session")
def sandbox_server():
    """One sandbox HTTP server on a free loopback port for the whole run."""
    server = SandboxServer(port=0, summary_delay=0.05).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def sandbox(sandbox_server, settings):
    """Each test starts from the sandbox's demo data with no faults; the portal points at it,
    with no copy of an earlier test's lists (adminui/web/listcopy.py) in the cache."""
    sandbox_server.reset()
    cache.clear()
    settings.POSTHOG_HOST = sandbox_server.url
    return sandbox_server


def environment_entry(sandbox, slug: str, name: str, project_id: int, **fields) -> dict:
    """One ``[[environment]]`` of an environments file on a sandbox project; `fields` add to or
    replace its fields (e.g. ``failover=True``, ``alerts={"email_to": ["ops@acme.com"]}``)."""
    return {
        "slug": slug,
        "name": name,
        "host": sandbox.url,
        "project_id": project_id,
        "personal_api_key_env": "ADMINUI_TEST_SANDBOX_KEY",
    } | fields


def write_environments_file(directory: Path, entries: list[dict]) -> Path:
    """An environments file holding `entries` (strings, numbers, booleans, lists of strings,
    and an ``alerts`` table), in `directory`."""

    def toml(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "[" + ", ".join(map(toml, value)) + "]"
        return json.dumps(value)  # a JSON string or number is a TOML one

    lines = []
    for entry in entries:
        lines.append("[[environment]]")
        alerts = entry.get("alerts")
        lines += [f"{name} = {toml(value)}" for name, value in entry.items() if name != "alerts"]
        if alerts is not None:
            lines.append("[environment.alerts]")
            lines += [f"{name} = {toml(value)}" for name, value in alerts.items()]
        lines.append("")
    path = directory / "environments.toml"
    path.write_text("\n".join(lines))
    return path


@pytest.fixture
def two_environments(sandbox, settings, tmp_path, monkeypatch):
    """The portal on an environments file with two sandbox projects: "prod" (Production, project
    4242, the demo data every other test uses, colour red) then "staging" (Staging, project 4243,
    smaller data of its own, colour amber), both with the demo key. Answers the environments by
    slug; write another file with `environment_entry` and `write_environments_file`."""
    from adminui.posthog import get_environments

    monkeypatch.setenv("ADMINUI_TEST_SANDBOX_KEY", DEMO_PERSONAL_API_KEY)
    entries = [
        environment_entry(sandbox, "prod", "Production", DEMO_PROJECT_ID, colour="red"),
        environment_entry(sandbox, "staging", "Staging", STAGING_PROJECT_ID, colour="amber"),
    ]
    settings.ADMINUI_ENVIRONMENTS_FILE = str(write_environments_file(tmp_path, entries))
    return get_environments()


@pytest.fixture
def call_events(sandbox, monkeypatch) -> list[str]:
    """ "start" and "end" of every call the sandbox serves, in order: calls that overlapped
    all start before the first one ends."""
    events: list[str] = []
    handle = sandbox.handle

    def recording(method, target, headers, body):
        events.append("start")
        try:
            return handle(method, target, headers, body)
        finally:
            events.append("end")

    monkeypatch.setattr(sandbox, "handle", recording)
    return events


@pytest.fixture
def older_posthog(sandbox):
    """The sandbox as older PostHog, which served every integration action to personal API keys
    (newest PostHog refuses authorize, Google Ads, LinkedIn Ads and Twilio to them)."""
    sandbox.switch(legacy_integration_access=True)
    return sandbox


PASSWORD = "correct-horse-battery"


def make_user(django_user_model, username: str, role: str | None):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    if role:
        # get_or_create: live-server tests flush the tables, groups from migrations included.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def viewer(db, django_user_model):
    """Vic reads everything and changes nothing."""
    return make_user(django_user_model, "vic", "Viewer")


@pytest.fixture
def editor(db, django_user_model):
    """Eddie manages keys, sets the active key and runs summaries."""
    return make_user(django_user_model, "eddie", "Editor")


@pytest.fixture
def admin(db, django_user_model):
    """Ada does everything, including managing users."""
    return make_user(django_user_model, "ada", "Admin")


@pytest.fixture
def nobody(db, django_user_model):
    """Noah has an account but no role yet."""
    return make_user(django_user_model, "noah", None)


def logged_in(user) -> Client:
    """A separate browser session per persona, so one test can act as several people."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer):
    return logged_in(viewer)


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


@pytest.fixture
def admin_client(admin):
    return logged_in(admin)


@pytest.fixture
def nobody_client(nobody):
    return logged_in(nobody)
