"""Real receivers on loopback for alert notifications: an SMTP server (aiosmtpd) and an HTTP
receiver for Slack and webhook posts, and the signature check the README tells a receiver to do.
The alert tests use them in-process and with a worker in another process alike."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from adminui.alerts.notify import SIGNATURE_HEADER
from tests.conftest import closed_port

SECRET = "whsec-4f1c9a0e7b2d4c8a9e3f"


@dataclass
class Mailbox:
    port: int = 0
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def emails(self) -> list[EmailMessage]:
        return [
            message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[misc]
            for envelope in self.messages
        ]

    @property
    def subjects(self) -> list[str]:
        return [str(email["Subject"]) for email in self.emails]

    def text(self, index: int) -> str:
        body = self.emails[index].get_body(("plain",))
        assert body is not None
        return body.get_content()


@contextmanager
def smtp_mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on a free loopback port, collecting what it is sent."""
    mailbox = Mailbox(port=closed_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A local HTTP receiver: records each POST and answers with the next queued status."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


@contextmanager
def http_receiver(path: str = "/hooks/T0001/B0002/secretpart") -> Iterator[Receiver]:
    """A receiver on a free loopback port, its URL ending in `path`."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.received.append((dict(self.headers), body))
            self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def verified(headers: dict[str, str], body: bytes, secret: str = SECRET) -> bool:
    """What the README tells a receiver to do with X-Adminui-Signature."""
    parts = dict(item.split("=", 1) for item in headers[SIGNATURE_HEADER].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(parts["t"])) < 300
    return fresh and hmac.compare_digest(expected.hexdigest(), parts["v1"])
