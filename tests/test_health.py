"""/healthz and /readyz: no login, a status per part, 503 only when the database is down, and
nothing in the answer that names a host, a port or a key."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from adminui.ops import health
from adminui.ops.cache import ResilientRedisCache
from adminui.ops.models import WorkerHeartbeat
from adminui.ops.worker import Heartbeat
from adminui.sandbox import demo


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_probes():
    """PostHog probe answers are kept for a few seconds; each test asks afresh."""
    health._probes.clear()
    health._probe_clients.clear()


@pytest.fixture
def beating_worker(db):
    Heartbeat("worker-1").beat()


def readyz(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_login_or_database(client):
    # No `db` fixture: pytest-django fails any query.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_every_part_ok(client, beating_worker):
    status, body = readyz(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["required"] == ["database"]
    checks = body["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["cache"] == {"status": "ok"}
    assert checks["worker"]["status"] == "ok"
    assert checks["posthog"] == {"sandbox": {"status": "ok"}}


def test_a_silent_worker_degrades_but_does_not_fail_readiness(client, db):
    WorkerHeartbeat.objects.create(worker_id="old", beat_at=timezone.now() - timedelta(minutes=5))
    status, body = readyz(client)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["worker"] == {
        "status": "down",
        "reason": "no heartbeat",
        "last_beat_seconds_ago": 300,
    }


def test_no_worker_at_all_is_named(client, db):
    assert readyz(client)[1]["checks"]["worker"] == {
        "status": "down",
        "reason": "no worker has started",
    }


def test_an_unreachable_posthog_is_reported_without_its_address(client, settings, beating_worker):
    port = closed_port()
    settings.POSTHOG_HOST = f"http://127.0.0.1:{port}"
    response = client.get("/readyz")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["posthog"] == {"sandbox": {"status": "down", "reason": "unreachable"}}
    text = response.content.decode()
    assert str(port) not in text and "127.0.0.1" not in text
    assert demo.DEMO_PERSONAL_API_KEY not in text


def test_a_refused_personal_key_is_named(client, settings, beating_worker):
    settings.POSTHOG_PERSONAL_API_KEY = "phx_revoked_key_1234567890"
    body = readyz(client)[1]
    assert body["checks"]["posthog"]["sandbox"]["reason"] == "personal API key refused"
    assert "phx_revoked" not in json.dumps(body)


def test_posthog_is_asked_at_most_every_few_seconds(client, sandbox, beating_worker):
    readyz(client)
    readyz(client)
    asked = [target for _, target, _, _ in sandbox.requests if "evaluation_config" in target]
    assert len(asked) == 1


def test_a_database_outage_fails_readiness(client, monkeypatch, beating_worker):
    def refused():
        raise OperationalError("connection to server at 10.0.0.5 port 5432 refused")

    monkeypatch.setattr(health, "check_database", refused)
    status, body = readyz(client)
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["database"] == {"status": "down", "reason": "database unavailable"}
    assert "10.0.0.5" not in json.dumps(body)


def test_a_redis_outage_reads_as_misses_and_readyz_sees_it(client, settings, beating_worker):
    dead = ResilientRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )
    assert dead.get("anything", "fallback") == "fallback"
    dead.set("anything", 1)  # dropped, not raised
    assert dead.get_many(["a", "b"]) == {}
    with pytest.raises(Exception, match="Connection"):
        dead.ping()
    import adminui.ops.health as module

    original = module.cache
    module.cache = dead
    try:
        status, body = readyz(client)
    finally:
        module.cache = original
    assert status == 200
    assert body["checks"]["cache"] == {"status": "down", "reason": "redis ConnectionError"}


def test_heartbeats_update_one_row_per_worker_and_forget_old_ones(db):
    WorkerHeartbeat.objects.create(worker_id="gone", beat_at=timezone.now() - timedelta(days=2))
    beat = Heartbeat("w")
    beat.beat()
    beat.beat()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w"]
