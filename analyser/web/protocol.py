"""uvicorn's h11 protocol with a deadline for the request headers.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) and caps connections
(``limit_concurrency``), but a client that opens a connection and never completes its request
headers is kept for ever: enough of them exhaust the open files and the server stops
answering (issue 13, "slowloris"). This subclass closes a connection whose first request has
not started ``header_timeout`` seconds after it was opened. It relies only on the protocol's
documented asyncio hooks (``connection_made``) and on uvicorn's per-request ``cycle``
attribute, which is set once a request's headers are complete.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutH11Protocol(H11Protocol):
    header_timeout: float = 10.0

    @classmethod
    def with_timeout(cls, seconds: float) -> type[HeaderTimeoutH11Protocol]:
        """A subclass bound to ``seconds`` (uvicorn instantiates the class it is given)."""
        return type(cls.__name__, (cls,), {"header_timeout": seconds})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: Any = self.loop.call_later(self.header_timeout, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        super().connection_lost(exc)

    def _headers_late(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()
