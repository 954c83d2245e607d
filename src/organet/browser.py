"""Browser-test support for ``organet.testing``: a live server in a thread and headless Chromium.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, or ``ORGANET_CHROMIUM``); no
browser is ever downloaded. Without Chromium the browser tests skip with the reason, unless
``ORGANET_REQUIRE_BROWSER=1`` (CI) turns the skip into a failure. A failing browser test
leaves a screenshot and the page's HTML in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
ARTIFACTS = Path(os.environ.get("ORGANET_TEST_ARTIFACTS", "test-artifacts"))


def chromium_path() -> str | None:
    """Return the Chromium executable to drive, or ``None`` when there is none."""
    configured = os.environ.get("ORGANET_CHROMIUM")
    if configured and Path(configured).exists():
        return configured
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require_chromium() -> str:
    """Return Chromium's path, or skip the test (fail it when ORGANET_REQUIRE_BROWSER=1)."""
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("ORGANET_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and ORGANET_REQUIRE_BROWSER=1 requires them", pytrace=False)
        pytest.skip(reason)
    return path


@contextmanager
def live_server(app: Starlette) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free loopback port; yield its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The app's lifespan already ran when the test made it; don't run start-up twice.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start within 15 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a Playwright browser (headless Debian Chromium)."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def save_artifacts(page: Any, test_name: str) -> Path:
    """Save a screenshot and the HTML of ``page`` for a failed test; return the folder."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)[:120]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    (ARTIFACTS / f"{safe}.html").write_text(page.content(), encoding="utf-8")
    return ARTIFACTS
