"""Fixtures for the execution-engine tests, written by a script (no binary checked in),
and a real ``analyser serve`` on loopback for the web tests.

:func:`build_shared_stream_pdf` writes the hostile PDF of issue 13: ~158 KB, 999 pages that
all point at ONE content stream. Parsing it is cheap (PDFium decodes one stream), but every
page yields the same few thousand characters of agreement-like text, so segmentation and
matching get millions of characters from a file that passes every size check. No PDF library
writes a shared content stream on request (reportlab and pikepdf give each page its own), so
the file is written directly from the PDF 1.7 object syntax (ISO 32000-1 §7.3, §7.5: objects,
cross-reference table, trailer); the cross-reference offsets are computed, not typed.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]

_SENTENCES = (
    "The Parties shall cooperate in research and education on the basis of mutual benefit.",
    "Each Party shall respect academic freedom and institutional autonomy.",
    "Results shall be published in accordance with good scientific practice.",
    "Intellectual property arising from joint work shall be owned jointly.",
    "Personal data shall be processed in accordance with applicable law.",
    "Either Party may terminate this Agreement with six months written notice.",
    "Disputes shall be settled amicably by negotiation between the Parties.",
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def shared_content_stream(lines: int = 50) -> bytes:
    """One page of text lines: ``lines`` sentences, numbered so that segmentation splits them."""
    ops = ["BT", "/F1 7 Tf", "9 TL", "30 800 Td"]
    for i in range(lines):
        sentence = _SENTENCES[i % len(_SENTENCES)]
        ops.append(f"({i + 1}. {_escape(sentence)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def build_shared_stream_pdf(path: Path, pages: int = 999, lines: int = 50) -> Path:
    """Write a PDF of ``pages`` pages that all share one content stream of ``lines`` lines."""
    content = shared_content_stream(lines)
    first_page = 5
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count {} /Kids [{}] >>".format(
            pages, " ".join(f"{first_page + i} 0 R" for i in range(pages))
        ).encode("ascii"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R " + (
        b"/Resources << /Font << /F1 3 0 R >> >> >>"
    )
    objects.extend(page for _ in range(pages))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def versions_differing_in_every_paragraph(paragraphs: int = 4000) -> tuple[bytes, bytes]:
    """Two versions of one long agreement in which every numbered paragraph changed one word.

    Quick to analyse (about 2 s each), and the two share most of their word 4-grams, so the
    web server takes them for versions of one agreement (analyser.similarity) and aligns
    them. But every paragraph differs, so the redline's word-level pass gets one
    replacement of all of them, anchored on thousands of repeated matches: the worst case of
    difflib's SequenceMatcher (4,000 paragraphs: 28 s on a loaded 2-core machine).
    """

    def version(word: str) -> bytes:
        return "\n\n".join(
            f"{n}. The Parties shall cooperate on topic {n} under this Agreement {word}."
            for n in range(1, paragraphs + 1)
        ).encode("utf-8")

    return version("promptly"), version("jointly")


# --------------------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(db: Path, *options: str, startup: float = 90.0) -> Iterator[str]:
    """``analyser serve`` in a subprocess on a free loopback port; yields its base URL.

    Waits until the engine has analysed one upload (the model is loaded), so that tests time
    what they mean to time; stops the server (and with it the engine) at the end.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "analyser", "serve", "--port", str(port), "--db", str(db), *options],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            try:
                warm = httpx.post(
                    f"{base}/api/analyses",
                    files={"file": ("warm.txt", b"The Parties shall respect academic freedom.")},
                    timeout=startup,
                )
                if warm.status_code == 201:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
