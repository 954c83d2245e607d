"""Request security: CSRF tokens, security headers and the address a request came from.

CSRF uses signed double-submit tokens: the token is an HMAC of the server-side session id
(or, before sign-in, of a random browser id in its own cookie) under the site's secret, so
a page from another origin can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BROWSER_COOKIE = "organet_browser"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def _secret(request: Request) -> bytes:
    return str(request.app.state.site.config.site["secret_key"]).encode()


def browser_id(request: Request) -> str:
    """Return the random id of this browser (made on first visit, sent back as a cookie)."""
    existing = getattr(request.state, "browser_id", None)
    if existing:
        return str(existing)
    cookie = request.cookies.get(BROWSER_COOKIE, "")
    if len(cookie) != 43:
        cookie = secrets.token_urlsafe(32)
        request.state.new_browser_id = cookie
    request.state.browser_id = cookie
    return cookie


def csrf_token(request: Request) -> str:
    """Return the CSRF token to put in this person's forms (``csrf_token`` field or X-CSRF-Token header)."""
    anchor = getattr(request.state, "session_id", None) or browser_id(request)
    # A page asks for it once per form; the anchor changes within a request only at sign-in.
    known = getattr(request.state, "csrf", None)
    if known is not None and known[0] == anchor:
        return str(known[1])
    token = hmac.new(_secret(request), f"csrf:{anchor}".encode(), hashlib.sha256).hexdigest()
    request.state.csrf = (anchor, token)
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    """True when ``submitted`` is this person's CSRF token (compared in constant time)."""
    return bool(submitted) and hmac.compare_digest(str(submitted), csrf_token(request))


def client_address(request: Request) -> str:
    """Return the caller's IP address (a proxy's X-Forwarded-For is applied by uvicorn's proxy headers)."""
    return request.client.host if request.client else "unknown"


def digest(value: str) -> str:
    """Return the SHA-256 hex digest of ``value``: how tokens and session ids are stored."""
    return hashlib.sha256(value.encode()).hexdigest()


class SecurityHeadersMiddleware:
    """Add the security headers to every response; ``no-store`` on pages for signed-in people.

    Every response also says how long organet worked on it (``Server-Timing: app;dur=<ms>``).
    A route marked ``embeddable`` (``request.state.embeddable``) may be framed by any origin
    of the site; every other response forbids framing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state: dict[str, Any] = scope.get("state", {})
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                embeddable = bool(state.get("embeddable"))
                policy = CONTENT_SECURITY_POLICY + ("; frame-ancestors 'self'" if embeddable
                                                    else "; frame-ancestors 'none'")
                extra = [
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    # How long the page took inside organet, for the browser's developer tools and benchmarks.
                    (b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}".encode()),
                ]
                if not embeddable:
                    extra.append((b"x-frame-options", b"DENY"))
                if state.get("signed_in") or b"cache-control" not in names:
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    static = str(scope.get("path", "")).startswith("/static/")
                    cache = b"public, max-age=3600" if static and not state.get("signed_in") else b"no-store"
                    extra.append((b"cache-control", cache))
                new_cookie = state.get("new_browser_id")
                if new_cookie:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    extra.append((b"set-cookie", f"{BROWSER_COOKIE}={new_cookie}; Path=/; HttpOnly; "
                                  f"SameSite=Lax{secure}".encode()))
                message["headers"] = [*headers, *(h for h in extra if h[0] not in names or h[0] == b"set-cookie"
                                                  or h[0] == b"cache-control")]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def header_names(headers: Iterable[tuple[bytes, bytes]]) -> set[str]:
    """Return the lower-cased header names of a raw ASGI header list (for tests)."""
    return {name.decode().lower() for name, _ in headers}
