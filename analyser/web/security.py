"""Guards for a server that holds confidential drafts: headers, size limit, CSRF, access token.

Written as small pure-ASGI middlewares and functions rather than pulled from a framework
plug-in, so each rule is visible in one place and tested directly.

- Security headers on every response: a CSP that allows only this origin's scripts and styles
  (no inline script), no framing, no MIME sniffing, no referrer, no caching of reports.
- A request body limit enforced while the body streams in (not after it is on disk).
- CSRF: double-submit token. Pages set a random token in a SameSite=Strict cookie and embed
  it in each form; a state-changing form request must send the same value back.
- Cross-site requests to state-changing endpoints are refused by their ``Origin`` /
  ``Sec-Fetch-Site`` headers, which also covers the JSON API against drive-by uploads.
- Optional access token: ``Authorization: Bearer`` for the API, or a session cookie set by the
  login form, holding an HMAC of the token rather than the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "analyser_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "analyser_session"
TOKEN_ENV = "ANALYSER_TOKEN"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SecurityHeaders:
    """Add the security headers to every HTTP response, and ``no-store`` unless static."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = (
                    [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                    if not static
                    else list(message.get("headers", []))
                )
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


async def send_json(send: Send, status: int, detail: str) -> None:
    """A minimal JSON error response, for middlewares that run outside the framework."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Answer 413 once a request body exceeds ``limit(path)`` bytes.

    The declared Content-Length is checked before reading; a chunked body is counted as it
    arrives, so an oversized upload is refused without being written to disk in full.
    """

    def __init__(self, app: ASGIApp, limit: Callable[[str], int], message: str) -> None:
        self.app = app
        self.limit = limit
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit(str(scope.get("path", "")))
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, self.message)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await send_json(send, 413, self.message)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def cross_site(headers: MutableMapping[str, str] | Any, host: str | None) -> bool:
    """True when a browser says the request comes from another site.

    ``Sec-Fetch-Site`` is sent by current browsers; ``Origin`` by all of them on POST (the
    fallback for older ones). Non-browser clients (curl, scripts) send neither and pass.
    """
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site:
        # Decisive when present: with ``Referrer-Policy: no-referrer`` browsers send
        # ``Origin: null`` even for the site's own forms, so Origin cannot be relied on then.
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    if not origin:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != (host or "").lower()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: str | None, submitted: str | None) -> bool:
    """Double-submit check: the form (or header) must repeat the cookie's random value."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


def session_value(token: str) -> str:
    """What the login cookie holds: proof of the token, not the token itself."""
    return hmac.new(token.encode(), b"agreement-analyser session v1", hashlib.sha256).hexdigest()


def token_ok(token: str, authorization: str | None, session: str | None) -> bool:
    """True if the request carries the access token (Bearer header) or a valid session."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.encode()
        ):
            return True
    return bool(session) and hmac.compare_digest(
        str(session).encode(), session_value(token).encode()
    )
