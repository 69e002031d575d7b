"""Shared fixtures: the PostHog sandbox over loopback, and personas for the three roles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from adminui.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parent.parent

# Real-browser fixtures (`browser`, `page`) for the tests that click through flows.
pytest_plugins = ["tests.browser"]


def pytest_configure() -> None:
    from django.conf import settings

    # Hashing passwords properly is slow by design; every test creates users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def unconfigured_environment() -> dict[str, str]:
    """This process's environment without adminui's settings, for a `manage.py` subprocess."""
    settings_variables = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL"}
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("POSTHOG_", "DJANGO_")) and name not in settings_variables
    }


@pytest.fixture(scope="session")
def sandbox_server():
    """One sandbox HTTP server on a free loopback port for the whole run."""
    server = SandboxServer(port=0, summary_delay=0.05).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def sandbox(sandbox_server, settings):
    """Each test starts from the sandbox's demo data with no faults; the portal points at it."""
    sandbox_server.reset()
    settings.POSTHOG_HOST = sandbox_server.url
    return sandbox_server


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
