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
  login form. The cookie holds a random session id known only to this server process, so a
  session expires (idle and absolute limits) and ends for good at logout; a copied cookie is
  worth nothing afterwards.
- Failed sign-ins and wrong Bearer tokens are throttled per client address: after a few
  failures each further attempt waits, doubling up to a quarter of an hour (HTTP 429 with
  ``Retry-After``), so a token cannot be guessed at hundreds of tries a second.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Generic, TypeVar
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
# A token is the only thing between the network and the stored agreements: 16 characters of
# a random token (about 96 bits in base64) cannot be guessed at the throttled rate.
MIN_TOKEN_LENGTH = 16
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


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a body passes the limit; BodyLimit answers 413."""


_BodyTooLarge = BodyTooLarge  # the earlier private name


class BodyStalled(Exception):
    """Raised from ``receive`` when the client stops sending its body; SlowBody answers 408."""


async def send_json(send: Send, status: int, detail: str, *, close: bool = False) -> None:
    """A minimal JSON error response, for middlewares that run outside the framework.

    ``close`` asks the server to close the connection after it (the rest of the request body
    will never be read).
    """
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
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

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        await _answer_unless_started(
            self.app, scope, counting_receive, send, BodyTooLarge, 413, self.message
        )


async def _answer_unless_started(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    error: type[Exception],
    status: int,
    detail: str,
) -> None:
    """Run ``app``; when it raises ``error`` before any response began, answer ``status``.

    Shared by the body guards: once the application has started its response, a second one
    cannot be sent, so the error then only ends the request.
    """
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except error:
        if not started:
            await send_json(send, status, detail, close=True)


class SlowBody:
    """Answer 408 when a client stalls while sending its request body.

    uvicorn bounds connections, header size and keep-alive, but waits for ever for the rest of
    a body (issue 13: 1,100 stalled uploads exhausted the open files). Each ``receive`` of a
    body part must complete within ``idle_timeout`` seconds; a slow but moving upload is fine.
    """

    def __init__(self, app: ASGIApp, idle_timeout: float) -> None:
        self.app = app
        self.idle_timeout = idle_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body_done = False
        import asyncio  # here, not at the top: `analyser check` imports this module's constants

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # only disconnect is left: no limit on waiting for it
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.idle_timeout)
            except TimeoutError:
                raise BodyStalled from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        detail = f"The upload stalled (no data for {self.idle_timeout:g} s)."
        await _answer_unless_started(self.app, scope, timed_receive, send, BodyStalled, 408, detail)


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


def token_problem(token: str) -> str | None:
    """Why ``token`` is not acceptable as an access token, or None when it is."""
    if len(token) < MIN_TOKEN_LENGTH:
        return (
            f"the access token must be at least {MIN_TOKEN_LENGTH} characters long "
            f"(got {len(token)}); leave it out to have one generated"
        )
    if token != token.strip() or any(ord(c) < 33 for c in token):
        return "the access token must not contain spaces or control characters"
    return None


def generate_token() -> str:
    """A random access token for a server started off loopback without one."""
    return secrets.token_urlsafe(24)


def bearer_ok(token: str, authorization: str | None) -> bool:
    """True if an ``Authorization: Bearer`` header carries the access token."""
    if not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


V = TypeVar("V")


class _BoundedLru(Generic[V]):
    """A thread-safe map that keeps at most ``capacity`` entries, dropping the least recently
    stored or touched one first.

    Sign-in sessions and failed-login counters are both keyed by something a client chooses
    to send; bounding them is what stops a flood of requests from filling the server's memory.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, V] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> V | None:
        return self._entries.get(key)

    def put(self, key: str, value: V) -> None:
        """Store (or replace) ``key`` as the most recently used entry; caller holds ``lock``."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def pop(self, key: str) -> V | None:
        return self._entries.pop(key, None)


class Sessions:
    """Sign-in sessions held by this server process.

    The cookie carries a random id; only its SHA-256 is kept here, with the time it was issued
    and last used. A session ends after ``idle_seconds`` without a request, after
    ``absolute_seconds`` in all, at logout, or when the server restarts. At most
    ``max_sessions`` are kept (the least recently used goes first), so sign-ins cannot fill
    memory.
    """

    def __init__(
        self,
        idle_seconds: float = 8 * 3600,
        absolute_seconds: float = 24 * 3600,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: _BoundedLru[tuple[float, float]] = _BoundedLru(max_sessions)

    @staticmethod
    def _key(session_id: str) -> str:
        return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()

    def create(self) -> str:
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self._sessions.lock:
            self._sessions.put(self._key(session_id), (now, now))
        return session_id

    def valid(self, session_id: str | None) -> bool:
        """True for a live session (and counts this request as its use)."""
        if not session_id:
            return False
        key = self._key(session_id)
        now = self.clock()
        with self._sessions.lock:
            times = self._sessions.get(key)
            if times is None:
                return False
            issued, last_used = times
            if now - issued > self.absolute_seconds or now - last_used > self.idle_seconds:
                self._sessions.pop(key)
                return False
            self._sessions.put(key, (issued, now))
            return True

    def revoke(self, session_id: str | None) -> None:
        if session_id:
            with self._sessions.lock:
                self._sessions.pop(self._key(session_id))


class LoginThrottle:
    """Back-off for failed sign-ins and wrong tokens, per client address.

    The first ``free_failures`` failures cost nothing (a mistyped token); after that each
    failure locks the address out for ``base_seconds`` doubled per further failure, up to
    ``max_seconds``. A success clears the address. At most ``max_clients`` addresses are
    tracked; the one that failed least recently is forgotten first.
    """

    def __init__(
        self,
        free_failures: int = 5,
        base_seconds: float = 1.0,
        max_seconds: float = 900.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds
        self.max_clients = max_clients
        self.clock = clock
        self._clients: _BoundedLru[tuple[int, float]] = _BoundedLru(max_clients)

    def retry_after(self, client: str) -> float:
        """Seconds this client must still wait before it may try again (0 if none)."""
        with self._clients.lock:
            _, locked_until = self._clients.get(client) or (0, 0.0)
        return max(0.0, locked_until - self.clock())

    def failed(self, client: str) -> float:
        """Record a failure; return the seconds the client must now wait."""
        now = self.clock()
        with self._clients.lock:
            failures, _ = self._clients.pop(client) or (0, 0.0)
            failures += 1
            wait = 0.0
            if failures > self.free_failures:
                extra = failures - self.free_failures - 1
                wait = min(self.max_seconds, self.base_seconds * 2 ** min(extra, 30))
            self._clients.put(client, (failures, now + wait))
        return wait

    def succeeded(self, client: str) -> None:
        with self._clients.lock:
            self._clients.pop(client)
