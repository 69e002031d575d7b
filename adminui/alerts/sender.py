"""Outgoing HTTP for Slack and webhooks: not PostHog, so not the service module.

One pooled session, short timeouts, no redirects (a redirect could carry the body elsewhere) and
no ``.netrc`` credentials. Failures are worded without the URL, which is a secret: requests puts
the URL in its exception messages, so they are never passed on.
"""

from __future__ import annotations

import threading

import requests
from requests.adapters import HTTPAdapter

from adminui import __version__

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 10.0

_lock = threading.Lock()
_session: requests.Session | None = None


class DeliveryError(Exception):
    """A notification did not arrive; the message is safe to show and store."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent  # trying again cannot help (e.g. nowhere to send)


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def session() -> requests.Session:
    global _session
    with _lock:
        if _session is None:
            _session = requests.Session()
            _session.auth = _no_netrc
            _session.headers["User-Agent"] = f"adminui/{__version__} (alerts)"
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
            _session.mount("https://", adapter)
            _session.mount("http://", adapter)
        return _session


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> None:
    """POST ``body`` as JSON; `DeliveryError` unless the receiver answers 2xx."""
    try:
        response = session().post(
            url,
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False,
        )
    except requests.Timeout:
        raise DeliveryError(
            f"The receiver did not answer within {READ_TIMEOUT:g} seconds."
        ) from None
    except requests.ConnectionError:
        raise DeliveryError("The receiver could not be reached (connection failed).") from None
    except requests.RequestException as error:
        raise DeliveryError(f"The request failed ({type(error).__name__}).") from None
    with response:
        if response.is_redirect:
            raise DeliveryError(
                f"The receiver redirected (HTTP {response.status_code}); redirects are not "
                "followed: configure the final address.",
                permanent=True,
            )
        if not 200 <= response.status_code < 300:
            raise DeliveryError(
                f"The receiver answered HTTP {response.status_code}.",
                permanent=400 <= response.status_code < 500 and response.status_code != 429,
            )
