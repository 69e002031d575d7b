"""The PostHog sandbox: a fake of PostHog's REST API, served over real HTTP on loopback.

`make run` starts it so the portal has realistic demo data, and the test suite talks to it
instead of PostHog. It follows the newest PostHog contract (docs/posthog-contract.md):
provider keys, key validation, the evaluation config, models, evaluations and their summary,
and integrations, under both `/api/projects/{id}/` and the deprecated `/api/environments/{id}/`
alias (which adds `Deprecation`, `Link` and `Sunset` headers). Error bodies keep PostHog's mix
of shapes: exceptions-hog `{type, code, detail, attr}`, raw `{"detail"}`, `{"error"}` and DRF's
`{field: [messages]}`.

Projects and key
    Two projects: 4242 "Acme AI" (production, the default; `@current` also names it) and 4243
    "Acme AI Staging" (smaller data: a revoked active key, a Linear connection to reconnect).
    Each has its own provider keys, evaluations, integrations, active key and summaries;
    users, API keys, switches, faults and throttles are the server's (`server.state` is 4242's,
    `server.project(4243)` another's). Another project id answers 404 "Project not found.".
    Authenticate with `Authorization: Bearer phx_sandbox_demo_personal_api_key_0000000000`
    (scopes `*`, every project). `server.add_api_key()` adds keys with narrower scopes or
    projects, or of another user (the demo key is Jane's, the first demo user's). `?token=` is
    ignored. Demo ids to use in tests are constants in `adminui.sandbox.demo` and `.staging`.

Magic words (simulated live validation when a provider key is created, given a new api_key,
validated, or checked through provider_key_validations; case-insensitive)
    key contains "invalid"      -> state invalid, "Invalid API key"
    key contains "ratelimit"    -> state error, "Rate limited, please try again later"
    key contains "unreachable"  -> state error, "Could not connect to <Provider>"
    Azure endpoint host contains "missing"
                                -> state error on azure_endpoint,
                                   "Azure endpoint not found — check the URL"
    OpenAI-compatible base_url host contains "missing", "redirect" or "unreachable"
                                -> on base_url: "The endpoint did not return a model list, check
                                   the base URL", "The endpoint redirected ...", "Could not
                                   connect to the endpoint"; a base_url that is not public https
                                   (localhost, a private address, *.internal) is refused
    anything else               -> state ok
    Each check sleeps the `validation_delay` switch (0.2 s) like a provider round trip.
    `api_key_masked` is first 4 + "..." + last 4 for keys of 16 characters or more, else
    "********" (PostHog's `mask_key_value`).

Switches (`server.switch(...)`, constructor arguments or POST /_sandbox/switches; they live on
`server.state.switches`, and reset restores the constructor's values)
    legacy_integration_access     serve integrations/authorize and the google_*, linkedin_ads_*
                                  and twilio_* actions to API keys, as older PostHog did (newest
                                  PostHog, the default, refuses them with a 403)
    trial_era                     evaluation_config carries the old trial_* fields
    legacy_models_shape           models answers the older {"models": [{id, posthog_available}]}
    ai_data_processing_approved   False makes evaluation_summary answer 403
    environments_alias            "deprecated" (newest PostHog): /api/environments/ serves what
                                  /api/projects/ serves, with Deprecation, a relative
                                  Link rel="successor-version" and Sunset; "plain": the alias
                                  without those headers (older PostHog); "gone": only
                                  /api/projects/ exists, the alias answers 404 "Endpoint not found."
    summary_delay, latency        seconds a summary takes; seconds added to every API request
    validation_delay              seconds a live key validation takes
    throttles, throttle_rates     PostHog's rate limits, on by default at PostHog's rates (480/min
                                  and 4800/h per key over all endpoints; the summary's own 50/min,
                                  200/h, 500/day); throttle_rates={"burst": "3/minute"} lowers one
                                  (adminui/sandbox/throttles.py)
    provider_key_refusal          "" (newest PostHog), "personal_key" (validate and
                                  dependent_configs refused to API keys), "project_admin" (every
                                  provider-key write refused: the key's owner is no project
                                  admin) or "evaluation_editor" (writes that change evaluations
                                  refused); see resources/provider_keys.py
    legacy_key_updates            updates as older PostHog took them: a new provider applied
                                  unchecked, a blank api_key "This field may not be blank."

Faults (`server.faults.add(...)`, or POST /_sandbox/faults with the same fields as JSON)
    Matched by regex search on the path (no query) and optional method; the first match wins.
    status=N answers N with `body` or a PostHog-shaped default; non_json=True answers an HTML
    proxy page (default 502); drop=True closes the socket unanswered; latency=S sleeps first;
    answer_latency=S handles the request, then holds the answer S seconds (done, answered late);
    times=N expires the fault after N requests. `faults.github_rate_limit(integration_id)` is
    GitHub's 429 with Retry-After.

Recorded requests (for tests)
    `server.requests` keeps the newest API requests as `RecordedRequest`s (method, target,
    headers, body; `.path`, `.query`, `.json()`); `server.received(path_regex, method)` picks
    the ones whose path matches, the way faults match.

PostHog's web pages (adminui/sandbox/pages.py)
    A GET outside /api/ (and a browser's GET of integrations/authorize/) answers an HTML page
    saying what PostHog's web app shows there, so the portal's "Open in PostHog" links land.

Control endpoints (no auth, loopback tooling only; changes need the header X-Sandbox-Control: 1)
    GET/POST/DELETE /_sandbox/faults, POST /_sandbox/reset, GET/POST /_sandbox/switches,
    POST /_sandbox/provider_answers {"key_id", "answer": "invalid"|"quota"|... or null} (what the
    provider answers that key's next validations: resources/provider_answers.py),
    GET /_sandbox/oauth/<kind>/authorize (the fake consent page that authorize redirects to).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from adminui.sandbox.api import (
    ApiError,
    Handler,
    Request,
    Response,
    hog_error,
    not_found,
    parse_body,
    permission_denied,
    resolve,
    server_error,
)
from adminui.sandbox.demo import DEMO_PROJECT_ID, build_demo_state
from adminui.sandbox.faults import Faults
from adminui.sandbox.pages import is_web_page, web_page
from adminui.sandbox.resources import ROUTES
from adminui.sandbox.resources.integrations import consent_page
from adminui.sandbox.resources.provider_answers import answer_from_json
from adminui.sandbox.staging import build_staging_state
from adminui.sandbox.state import ApiKey, SandboxState, Switches, User
from adminui.sandbox.throttles import check_throttles, throttles_for

API_PATH = re.compile(r"/api/(?P<prefix>projects|environments)/(?P<project>[^/]+)/(?P<rest>.*?)/?")
SUNSET = "Fri, 31 Jul 2026 00:00:00 GMT"  # PostHog's API_ENVIRONMENTS_SUNSET_DATE
ROUTE_NOT_FOUND = "Endpoint not found."
REQUESTS_KEPT = 5000
CONTROL_HEADER = "X-Sandbox-Control"


class RecordedRequest(NamedTuple):
    """One API request as the sandbox received it (control requests are not recorded)."""

    method: str
    target: str  # the path with its query string
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        summary_delay: float = 2.0,
        latency: float = 0.0,
        legacy_integration_access: bool = False,
        log_requests: bool = False,
    ) -> None:
        self.host, self.port = host, port
        self.log_requests = log_requests
        # reset() restores these; the live switches are on the state, where handlers read them.
        self._default_switches = Switches(
            summary_delay=summary_delay,
            latency=latency,
            legacy_integration_access=legacy_integration_access,
        )
        self.faults = Faults()
        # The newest requests, for tests to inspect; bounded so a long `make run` stays small.
        self.requests: deque[RecordedRequest] = deque(maxlen=REQUESTS_KEPT)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.projects = self._build_projects()

    @property
    def state(self) -> SandboxState:
        """The default project's state (4242), which also holds everything server-wide."""
        return self.projects[DEMO_PROJECT_ID]

    def project(self, project_id: int) -> SandboxState:
        return self.projects[project_id]

    def _build_projects(self) -> dict[int, SandboxState]:
        production = build_demo_state(switches=replace(self._default_switches))
        staging = build_staging_state(production)
        return {production.project_id: production, staging.project_id: staging}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def api_url(
        self, path: str, *, prefix: str = "projects", project: int | str = DEMO_PROJECT_ID
    ) -> str:
        """An absolute API URL, e.g. `api_url("llm_analytics/provider_keys/")`."""
        return f"{self.url}/api/{prefix}/{project}/{path}"

    def start(self) -> SandboxServer:
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def reset(self) -> None:
        """Demo data back, faults and added keys gone, switches as constructed."""
        self.projects = self._build_projects()
        self.faults.clear()
        self.requests.clear()

    def switch(self, **switches: Any) -> dict[str, Any]:
        """Change some switches until the next reset; answers all of them."""
        self.state.switches.change(**switches)
        return self.state.switches.to_json()

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections the sandbox has accepted since it started."""
        return self._httpd.accepted if self._httpd else 0

    def received(self, path_regex: str, method: str | None = None) -> list[RecordedRequest]:
        """The recorded requests whose path (no query) matches, as faults match; oldest first."""
        return [
            request
            for request in list(self.requests)
            if re.search(path_regex, request.path) and method in (None, request.method)
        ]

    def add_api_key(
        self,
        key: str,
        scopes: list[str],
        project_ids: list[int] | None = None,
        owner: User | None = None,
    ) -> None:
        projects = tuple(project_ids) if project_ids is not None else None
        with self.state.lock:
            self.state.api_keys[key] = ApiKey(key, tuple(scopes), projects, owner)

    # --- Request pipeline --------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Message, body: bytes) -> Response | None:
        """Answer one HTTP request; None means: drop the connection without answering."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        base_url = f"http://{headers.get('Host') or f'{self.host}:{self.port}'}"
        if parts.path.startswith("/_sandbox/"):
            return self._control(method, parts.path, query, body, headers)
        if is_web_page(method, target, headers.get("Accept", "")):
            return web_page(self.projects, target)
        self.requests.append(RecordedRequest(method, target, dict(headers.items()), body))
        if latency := self.state.switches.latency:
            time.sleep(latency)
        if fault := self.faults.take(method, parts.path):
            time.sleep(fault.latency)
            if fault.drop:
                return None
            if (response := fault.response()) is not None:
                return response
        alias = self.state.switches.environments_alias
        on_alias = parts.path.startswith("/api/environments/")
        if on_alias and alias == "gone":
            return not_found(ROUTE_NOT_FOUND).response  # PostHog's api_not_found, before auth
        request = Request(self.state, method, parts.path, query, headers, body, base_url)
        response = self._answer(request)
        if fault and fault.answer_latency:
            time.sleep(fault.answer_latency)
        if on_alias and alias == "deprecated":
            # EnvironmentsRewriteMiddleware: a relative successor with the same query.
            successor = target.replace("/api/environments/", "/api/projects/", 1)
            response.headers |= {
                "Deprecation": "true",
                "Link": f'<{successor}>; rel="successor-version"',
                "Sunset": SUNSET,
            }
        return response

    def _answer(self, request: Request) -> Response:
        try:
            with request.state.lock:
                handler = self._route(request)
                return handler(request)
        except ApiError as error:
            return error.response
        except Exception:  # a sandbox bug: answer like PostHog would, and say what happened
            traceback.print_exc(file=sys.stderr)
            return server_error().response

    def _route(self, request: Request) -> Handler:
        """Authentication, project access, routing and scopes, in PostHog's order."""
        match = API_PATH.fullmatch(request.path)
        if match is None:
            raise not_found()
        api_key = request.api_key = self._authenticate(request)
        project = match["project"]
        project_id = DEMO_PROJECT_ID if project == "@current" else _int_or_none(project)
        if api_key.project_ids is not None and project_id not in api_key.project_ids:
            raise permission_denied(
                f"API key does not have access to the requested project: ID {project}."
            )
        if project_id not in self.projects:
            raise not_found("Project not found.")
        request.project_id = project_id
        request.state = self.projects[project_id]  # the same lock: server-wide
        route, request.params = resolve(ROUTES, request.method, match["rest"])
        if route.session_only and not request.state.switches.legacy_integration_access:
            raise permission_denied("This action does not support personal API key access")
        if not api_key.grants(route.scope):
            raise permission_denied(f"API key missing required scope '{route.scope}'")
        check_throttles(request, throttles_for(request.method, match["rest"]))
        return route.handler

    def _authenticate(self, request: Request) -> ApiKey:
        found = _find_personal_api_key(request)
        if found is None:
            error = hog_error(
                401, "authentication_error", "not_authenticated",
                "Authentication credentials were not provided.",
            )  # fmt: skip
        else:
            value, source = found
            if api_key := request.state.api_keys.get(value):
                return api_key
            error = hog_error(
                401, "authentication_error", "authentication_failed",
                f"Personal API key found in request {source} is invalid.",
            )  # fmt: skip
        metadata = f"{request.base_url}/.well-known/oauth-protected-resource"
        error.response.headers["WWW-Authenticate"] = f'Bearer resource_metadata="{metadata}"'
        raise error

    # --- Control endpoints -------------------------------------------------------------------

    def _control(
        self, method: str, path: str, query: dict, body: bytes, headers: Message
    ) -> Response:
        # A web page open in the developer's browser could POST here too; a custom header
        # needs a CORS preflight, which the sandbox never grants.
        if method != "GET" and headers.get(CONTROL_HEADER) != "1":
            return Response(
                403, {"detail": f"Changing the sandbox needs the {CONTROL_HEADER}: 1 header."}
            )
        if method == "GET" and (
            oauth := re.fullmatch(r"/_sandbox/oauth/([^/]+)/authorize/?", path)
        ):
            return consent_page(oauth.group(1), query)
        actions = {
            ("GET", "/_sandbox/faults"): self._list_faults,
            ("POST", "/_sandbox/faults"): self._add_fault,
            ("DELETE", "/_sandbox/faults"): self._clear_faults,
            ("POST", "/_sandbox/reset"): self._reset,
            ("GET", "/_sandbox/switches"): self._get_switches,
            ("POST", "/_sandbox/switches"): self._set_switches,
            ("POST", "/_sandbox/provider_answers"): self._set_provider_answer,
        }
        action = actions.get((method, path.rstrip("/")))
        if action is None:
            return Response(404, {"detail": f"No sandbox control endpoint {method} {path}."})
        try:
            return action(body)
        except (KeyError, TypeError, ValueError, re.error) as error:
            return Response(400, {"detail": f"{type(error).__name__}: {error}"})

    def _list_faults(self, _body: bytes) -> Response:
        return Response(200, {"faults": [fault.to_json() for fault in self.faults.all()]})

    def _add_fault(self, body: bytes) -> Response:
        fields = _json(body)
        return Response(201, self.faults.add(fields.pop("path_regex"), **fields).to_json())

    def _clear_faults(self, _body: bytes) -> Response:
        self.faults.clear()
        return Response(204)

    def _reset(self, _body: bytes) -> Response:
        self.reset()
        return Response(204)

    def _get_switches(self, _body: bytes) -> Response:
        return Response(200, self.state.switches.to_json())

    def _set_switches(self, body: bytes) -> Response:
        return Response(200, self.switch(**_json(body)))

    def provider_answer(self, key_id: str, answer: str | None) -> None:
        """From now on the provider answers validations of this key with `answer` (a name in
        resources/provider_answers.py, e.g. "invalid" or "quota"); None: as its key says."""
        self._set_provider_answer(json.dumps({"key_id": key_id, "answer": answer}).encode())

    def _set_provider_answer(self, body: bytes) -> Response:
        key_id, answer = answer_from_json(_json(body))
        with self.state.lock:
            if answer is None:
                self.state.provider_answers.pop(key_id, None)
            else:
                self.state.provider_answers[key_id] = answer
        return Response(204)


def _json(body: bytes) -> dict[str, Any]:
    data = json.loads(body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("Send a JSON object.")
    return data


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _find_personal_api_key(request: Request) -> tuple[str, str] | None:
    """Where PostHog looks for a personal API key: the header, then the body, then the query."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), "Authorization header"
    try:
        in_body = parse_body(request.headers.get("Content-Type", ""), request.body)
    except ApiError:
        in_body = {}
    if in_body.get("personal_api_key"):
        return str(in_body["personal_api_key"]), "body"
    if in_query := request.arg("personal_api_key"):
        return in_query, "query string"
    return None


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: every answer carries its Content-Length.

    On the wire it answers like PostHog's servers: the status line, headers and body leave in
    one write (a buffered `wfile`, flushed once per request by `handle_one_request`) and
    TCP_NODELAY is set, so a kept-alive client never waits for a delayed ACK (~40 ms) between
    a small header write and the body (see bench/keep_alive.py).
    """

    protocol_version = "HTTP/1.1"
    timeout = 120  # seconds an idle keep-alive connection may stay open
    wbufsize = 64 * 1024  # a whole typical answer; larger bodies stream past the buffer
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        super().finish()

    def serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.sandbox.handle(self.command, self.path, self.headers, body)
        if response is None:
            self.close_connection = True
            return
        payload = response.encode()
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = serve

    def version_string(self) -> str:
        return "PostHogSandbox"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        if self.server.sandbox.log_requests:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.accepted = 0  # TCP connections accepted so far (bench/: are connections reused?)
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self.accepted += 1
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their threads finish when the server stops."""
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)
