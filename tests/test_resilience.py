"""A bad day at PostHog, kept as a test: mixed traffic (pages, htmx fragments, writes as an Editor)
against the live portal while the sandbox fails in each of the ways PostHog (or what stands in
front of it) fails. Under every fault: no 500, no traceback, a message that names the trouble, no
lost form input, no secret in any page, header or log line, and no web request held longer than
the bound the PostHog settings imply.

The short variant runs with the suite; `make resilience` runs about 1,000 requests from eight
threads (RESILIENCE_REQUESTS to change it) and prints requests, statuses and p50/p95/max times per
fault kind.
"""

from __future__ import annotations

import os
import re
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import cycle, islice

import pytest
import requests
from django.test import Client

from adminui.demo_project import DEMO_PERSONAL_API_KEY
from adminui.posthog.retries import WEB
from adminui.sandbox import demo
from tests.conftest import HTMX, htmx_for

# What the suite configures PostHog's timeouts to, so that a "timeout" costs under a second.
TIMEOUTS = {
    "POSTHOG_CONNECT_TIMEOUT": 0.5,
    "POSTHOG_READ_TIMEOUT": 0.4,
    "POSTHOG_LLM_READ_TIMEOUT": 0.5,
    "POSTHOG_RETRIES": 2,
    "POSTHOG_RETRY_BACKOFF": 0.05,
}
# Finding 2 of issue 14: a web request waits for PostHog's Retry-After only while its waits stay
# short (adminui.posthog.retries.WEB); a longer one (the audit's 10 s) is answered at once.
SHORT_WAIT = WEB.max_wait
# Django rendering a page with the 2 CPUs shared by the whole machine.
RENDERING = 1.5

PROVIDER_KEY_CANARY = "sk-resilience-canary-7f3c9a1e5b2d4f60"
SECRETS = (DEMO_PERSONAL_API_KEY, PROVIDER_KEY_CANARY)
CSRF = "resiliencecsrftoken0123456789abc"  # 32 characters: Django takes it unmasked

# Each kind of failure, as the sandbox produces it, and words its message must contain.
FAULTS = {
    "timeout": ({"latency": 0.8}, r"did not answer within|in time"),
    "500": ({"status": 500}, r"internal error"),
    "html 502": ({"non_json": True}, r"did not expect|proxy"),
    "429 retry-after": (
        {"status": 429, "headers": {"Retry-After": "10"}},
        r"rate limit|Rate limited",
    ),
    "non-json 200": ({"non_json": True, "status": 200}, r"non-JSON 200 page|did not expect"),
    "dropped connection": ({"drop": True}, r"reach PostHog|connection|did not expect"),
    "401": ({"status": 401}, r"API key|rejected"),
}


@dataclass(frozen=True)
class Call:
    """One request of the mix; `kept` is what a failed form must show again."""

    name: str
    method: str
    path: str
    data: dict | None = None
    headers: dict = field(default_factory=dict)
    kept: tuple[str, ...] = ()


def traffic() -> list[Call]:
    keys, evaluation = "/sandbox/keys/", f"/sandbox/evaluations/{demo.EVAL_ANSWER_RELEVANCE}/"
    integration = f"/sandbox/integrations/{demo.GITHUB_INTEGRATION_ID}/"
    return [
        Call("overview", "GET", "/sandbox/"),
        Call("key list", "GET", keys),
        Call("key detail", "GET", f"{keys}{demo.KEY_PRODUCTION_OPENAI}/"),
        Call("models", "GET", "/sandbox/models/"),
        Call("evaluations", "GET", "/sandbox/evaluations/"),
        Call("evaluation", "GET", evaluation),
        Call("integrations", "GET", "/sandbox/integrations/"),
        Call("integration", "GET", integration),
        Call("key region", "GET", f"{keys}?q=open", headers=htmx_for("key-region")),
        Call(
            "repositories panel",
            "GET",
            f"{integration}repositories/",
            headers=htmx_for("panel-repositories-results"),
        ),
        Call(
            "add key",
            "POST",
            f"{keys}add/",
            {"provider": "openai", "name": "Resilience key", "api_key": PROVIDER_KEY_CANARY},
            kept=('value="Resilience key"',),
        ),
        Call(
            "add key (htmx)",
            "POST",
            f"{keys}add/",
            {"provider": "openai", "name": "Resilience htmx", "api_key": PROVIDER_KEY_CANARY},
            headers=HTMX | {"HX-Target": "key-form"},
            kept=('value="Resilience htmx"',),
        ),
        Call("validate", "POST", f"{keys}{demo.KEY_CLAUDE}/validate/", {}, headers=HTMX),
        Call("activate", "POST", f"{keys}{demo.KEY_STAGING_OPENAI}/activate/", {}, headers=HTMX),
        Call("summarize", "POST", f"{evaluation}summarize/", {"filter": "all"}),
        Call("connect", "POST", "/sandbox/integrations/connect/", {"kind": "slack"}),
    ]


@dataclass
class Seen:
    fault: str
    call: Call
    status: int
    seconds: float
    body: str
    headers: dict


def request_bound(settings) -> float:
    """The longest a web request may be held: one PostHog call's timeouts (the LLM ones, the
    longest), the retry backoffs of a GET, a short wait for a rate limit, and rendering."""
    backoffs = sum(settings.POSTHOG_RETRY_BACKOFF * 2**n for n in range(settings.POSTHOG_RETRIES))
    timeouts = settings.POSTHOG_CONNECT_TIMEOUT + settings.POSTHOG_LLM_READ_TIMEOUT
    return timeouts + backoffs + SHORT_WAIT + RENDERING


@pytest.fixture
def editor_session(live_server, editor, settings):
    """A browser-like session of the Editor against the live portal."""
    for name, value in TIMEOUTS.items():
        setattr(settings, name, value)
    client = Client()
    client.force_login(editor)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    session.cookies.set(settings.CSRF_COOKIE_NAME, CSRF)
    session.headers["X-CSRFToken"] = CSRF
    yield live_server.url, session
    session.close()


def send(base: str, session: requests.Session, fault: str, call: Call) -> Seen:
    started = time.monotonic()
    url = base + call.path
    response = session.request(
        call.method, url, data=call.data, headers=call.headers, allow_redirects=False, timeout=30
    )
    seconds = time.monotonic() - started
    return Seen(fault, call, response.status_code, seconds, response.text, dict(response.headers))


def problems(seen: Seen, pattern: str, bound: float) -> list[str]:
    """What is wrong with one answer under a fault (nothing, ideally)."""
    where = f"{seen.fault} / {seen.call.name} ({seen.status}, {seen.seconds:.2f} s)"
    found = []
    if seen.status >= 500 and seen.status not in (502, 503, 504):
        found.append(f"{where}: a {seen.status}")
    if "Traceback" in seen.body:
        found.append(f"{where}: a traceback in the page")
    if seen.seconds > bound:
        found.append(f"{where}: held longer than {bound:.2f} s")
    shown = seen.body + repr(seen.headers)
    found += [f"{where}: a secret in the answer" for secret in SECRETS if secret in shown]
    # A page or region that had to do without PostHog says why; redirects carry no page.
    if not 300 <= seen.status < 400 and not re.search(pattern, seen.body):
        found.append(f"{where}: no message matching {pattern!r}")
    found += [f"{where}: lost {kept}" for kept in seen.call.kept if kept not in seen.body]
    return found


def run(base, session, sandbox, fault: str, calls: list[Call], threads: int = 1) -> list[Seen]:
    sandbox.faults.clear()
    sandbox.faults.add(r"^/api/", **FAULTS[fault][0])
    if threads == 1:
        return [send(base, session, fault, call) for call in calls]
    local = threading.local()

    def one(call: Call) -> Seen:
        # A requests.Session is not thread-safe: one per thread, with the Editor's cookies.
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.cookies.update(session.cookies)
            local.session.headers.update(session.headers)
        return send(base, local.session, fault, call)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, calls))


def log_problems(caplog) -> list[str]:
    found = [f"a traceback in the log: {r.getMessage()}" for r in caplog.records if r.exc_info]
    if "Traceback" in caplog.text:
        found.append("a traceback in the log")
    found += ["a secret in the log" for secret in SECRETS if secret in caplog.text]
    return found


@pytest.mark.parametrize("fault", FAULTS)
def test_under_each_fault_every_request_fails_well(
    editor_session, sandbox, settings, caplog, fault
):
    base, session = editor_session
    bound = request_bound(settings)
    seen = run(base, session, sandbox, fault, traffic())
    found = [p for s in seen for p in problems(s, FAULTS[fault][1], bound)]
    found += log_problems(caplog)
    assert not found, "\n".join(found)
    assert any(s.status >= 400 for s in seen), "the fault reached the portal"


def figures(seen: list[Seen]) -> str:
    lines = [f"{'fault':<20} {'requests':>8}  {'p50':>6} {'p95':>6} {'max':>6}  statuses"]
    for fault in FAULTS:
        times = sorted(s.seconds for s in seen if s.fault == fault)
        if not times:
            continue
        statuses = Counter(s.status for s in seen if s.fault == fault)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        lines.append(
            f"{fault:<20} {len(times):>8}  {statistics.median(times):>6.2f} {p95:>6.2f} "
            f"{times[-1]:>6.2f}  {dict(sorted(statuses.items()))}"
        )
    return "\n".join(lines)


@pytest.mark.resilience
def test_a_thousand_requests_under_every_fault(editor_session, sandbox, settings, caplog):
    base, session = editor_session
    total = int(os.environ.get("RESILIENCE_REQUESTS", "1000"))
    per_fault = max(1, total // len(FAULTS))
    bound = request_bound(settings)
    seen, found = [], []
    for fault, (_, pattern) in FAULTS.items():
        calls = list(islice(cycle(traffic()), per_fault))
        answers = run(base, session, sandbox, fault, calls, threads=8)
        seen += answers
        found += [p for s in answers for p in problems(s, pattern, bound)]
    print(f"\n{len(seen)} requests, bound {bound:.2f} s per request\n{figures(seen)}")
    found += log_problems(caplog)
    assert not found, "\n".join(found[:50])
