"""Connection-level limits of ``analyser serve``, on a real server over loopback: stalled
headers and stalled uploads are cut off, and a chunked upload over the limit gets 413."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.engine_fixtures import running_server

STALL = 3  # serve --stall-timeout
GRACE = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("web") / "db.sqlite3"
    with running_server(db, "--stall-timeout", str(STALL), "--max-upload-mb", "5") as base:
        yield base


def _connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.settimeout(STALL + GRACE + 10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_web_protocol_stalled_headers_are_disconnected(server: str) -> None:
    with _connect(server) as sock:
        sock.sendall(b"POST /api/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing
        started = time.monotonic()
        assert _read_all(sock) == b""
        assert time.monotonic() - started <= STALL + GRACE


def test_web_protocol_stalled_upload_is_408(server: str) -> None:
    with _connect(server) as sock:
        sock.sendall(
            b"POST /api/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nThe'
        )
        started = time.monotonic()
        answer = _read_all(sock)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"stalled" in answer
        assert time.monotonic() - started <= STALL + GRACE


def test_web_protocol_chunked_upload_over_the_limit_is_413(server: str) -> None:
    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(60):  # 60 MB, sent without a Content-Length
            yield b"agreement " * 104_858
        yield b"\r\n--b--\r\n"

    try:
        response = httpx.post(
            f"{server}/api/analyses",
            content=body(),
            headers={"content-type": "multipart/form-data; boundary=b"},
            timeout=60,
        )
    except httpx.WriteError:  # the server may close before the client finished sending
        pytest.fail("the server closed the connection without answering 413")
    assert response.status_code == 413
    assert "larger than the limit of 5 MB" in response.json()["detail"]


def test_web_protocol_normal_upload_still_works(server: str, tmp_path: Path) -> None:
    response = httpx.post(
        f"{server}/api/analyses",
        files={"file": ("a.txt", b"1. The Parties shall respect academic freedom.")},
        timeout=60,
    )
    assert response.status_code == 201
