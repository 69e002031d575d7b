"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against the live server."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (make test installs it as root)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures
    # while it runs are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def distinct_colours(png: Path, sample_rows: int = 200) -> int:
    """How many distinct (filtered) pixel values a PNG has, sampled: a blank page has one or two."""
    data = png.read_bytes()
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    idat = b"".join(
        data[i + 8 : i + 8 + length]
        for i, length in _chunks(data)
        if data[i + 4 : i + 8] == b"IDAT"
    )
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}.get(colour_type, 1) * depth // 8
    stride = width * channels + 1
    step = max(height // sample_rows, 1)
    seen = set()
    for row in range(0, height, step):
        line = raw[row * stride + 1 : (row + 1) * stride]
        seen.update(line[i : i + channels] for i in range(0, len(line), channels * 7))
    return len(seen)


def _chunks(data: bytes):
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        yield offset, length
        offset += 12 + length
