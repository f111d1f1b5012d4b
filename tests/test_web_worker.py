"""The web server's engine, tested on a real ``analyser serve`` over loopback.

Issue 13: two uploads of the 999-page shared-stream PDF to ``serve --workers 2`` made every
normal upload in the next minute fail. Now each heavy upload is killed alone at its deadline,
normal uploads wait for a free worker and succeed, and a full queue answers 503 + Retry-After.
The compare page's word-level redline, quadratic at worst, runs in the same engine under the
same deadline: refused, the page says so in one line and keeps the clause comparison.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.engine_fixtures import (
    build_shared_stream_pdf,
    running_server,
    versions_differing_in_every_paragraph,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NORMAL = (SAMPLES / "rca-vestland-andes.txt").read_bytes()
TIMEOUT = 4  # serve --timeout: the per-upload deadline
GRACE = 5


@pytest.fixture(scope="module")
def heavy(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_shared_stream_pdf(tmp_path_factory.mktemp("heavy") / "heavy.pdf").read_bytes()


def _upload(base: str, name: str, data: bytes) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.post(f"{base}/api/analyses", files={"file": (name, data)}, timeout=120)
    return response, time.monotonic() - started


def test_web_worker_normal_uploads_succeed_while_two_heavy_ones_are_killed(
    heavy: bytes, tmp_path: Path
) -> None:
    with running_server(
        tmp_path / "db.sqlite3", "--workers", "2", "--timeout", str(TIMEOUT)
    ) as base:
        heavy_results: list[tuple[httpx.Response, float]] = []
        threads = [
            threading.Thread(target=lambda: heavy_results.append(_upload(base, "h.pdf", heavy)))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # both heavy uploads are in the workers
        normal = []
        loop_ends = time.monotonic() + TIMEOUT + 4  # a bounded loop across the heavy ones
        while time.monotonic() < loop_ends:
            normal.append(_upload(base, "normal.txt", NORMAL))
        for thread in threads:
            thread.join(60)
    assert [r.status_code for r, _ in heavy_results] == [504, 504]
    for response, seconds in heavy_results:
        assert f"analysis timed out after {TIMEOUT} s" in response.json()["detail"]
        assert seconds <= TIMEOUT + GRACE
    assert len(normal) >= 3
    assert [r.status_code for r, _ in normal] == [201] * len(normal)
    assert max(seconds for _, seconds in normal) <= TIMEOUT + GRACE


def test_web_worker_full_queue_is_503_with_retry_after(heavy: bytes, tmp_path: Path) -> None:
    options = ("--workers", "1", "--queue", "0", "--timeout", str(TIMEOUT))
    with running_server(tmp_path / "db.sqlite3", *options) as base:
        results: list[tuple[httpx.Response, float]] = []
        thread = threading.Thread(target=lambda: results.append(_upload(base, "h.pdf", heavy)))
        thread.start()
        time.sleep(1.0)
        busy, seconds = _upload(base, "normal.txt", NORMAL)
        thread.join(60)
        after, _ = _upload(base, "normal.txt", NORMAL)
    assert busy.status_code == 503
    assert int(busy.headers["retry-after"]) >= 1
    assert "busy" in busy.json()["detail"]
    assert seconds < GRACE  # refused at once, not after waiting
    assert results[0][0].status_code == 504
    assert after.status_code == 201


# Each version analyses in about 2 s; their redline takes half a minute.
REDLINE_TIMEOUT = 8


@pytest.fixture(scope="module")
def slow_pair() -> tuple[bytes, bytes]:
    return versions_differing_in_every_paragraph(4000)


def _compare(base: str, ids: list[int]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(f"{base}/compare", params=[("id", i) for i in ids], timeout=120)
    return response, time.monotonic() - started


def _upload_pair(base: str, pair: tuple[bytes, bytes]) -> list[int]:
    ids = []
    for name, data in zip(("v1.txt", "v2.txt"), pair, strict=True):
        response, _ = _upload(base, name, data)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def test_web_worker_compare_redline_is_stopped_at_the_deadline_while_others_are_served(
    slow_pair: tuple[bytes, bytes], tmp_path: Path
) -> None:
    options = ("--workers", "2", "--timeout", str(REDLINE_TIMEOUT))
    with running_server(tmp_path / "db.sqlite3", *options) as base:
        ids = _upload_pair(base, slow_pair)
        compared: list[tuple[httpx.Response, float]] = []
        thread = threading.Thread(target=lambda: compared.append(_compare(base, ids)))
        thread.start()
        time.sleep(0.5)  # the redline is in a worker
        pages, uploads = [], []
        while thread.is_alive():  # bounded: the compare request ends at its deadline
            started = time.monotonic()
            pages.append((httpx.get(f"{base}/history", timeout=60), time.monotonic() - started))
            uploads.append(_upload(base, "normal.txt", NORMAL))
        thread.join(60)
    page, seconds = compared[0]
    assert page.status_code == 200
    refused = re.findall(
        r'<p class="notice warning" id="redline-refused"[^>]*>([^<]*)</p>', page.text
    )
    assert refused == [
        f"The word-level redline was stopped after {REDLINE_TIMEOUT} s: these versions differ in "
        "too many paragraphs to align in time. The clause comparison is complete."
    ]
    assert 'id="change-academic_freedom"' in page.text  # the clause comparison is shown
    assert 'id="redline"' not in page.text
    assert seconds <= 2 * REDLINE_TIMEOUT + GRACE  # at worst a queue wait, then the deadline
    assert pages and uploads
    assert {r.status_code for r, _ in pages} == {200}
    assert {r.status_code for r, _ in uploads} == {201}
    assert max(t for _, t in [*pages, *uploads]) <= REDLINE_TIMEOUT + GRACE


def test_web_worker_compare_redline_busy_is_one_line_not_an_error(
    slow_pair: tuple[bytes, bytes], tmp_path: Path
) -> None:
    options = ("--workers", "1", "--queue", "0", "--timeout", str(REDLINE_TIMEOUT))
    with running_server(tmp_path / "db.sqlite3", *options) as base:
        ids = _upload_pair(base, slow_pair)
        first: list[tuple[httpx.Response, float]] = []
        thread = threading.Thread(target=lambda: first.append(_compare(base, ids)))
        thread.start()
        time.sleep(1.0)  # the only worker is aligning the two versions
        busy, seconds = _compare(base, ids)
        thread.join(60)
    assert busy.status_code == 200 and seconds < GRACE  # refused at once, not after waiting
    assert 'id="redline-refused"' in busy.text and "the server is busy" in busy.text
    assert 'id="change-academic_freedom"' in busy.text
    assert first[0][0].status_code == 200 and "stopped after" in first[0][0].text


def test_web_worker_report_pdf_busy_is_503_then_the_download_works(
    heavy: bytes, tmp_path: Path
) -> None:
    """The PDF download is laid out by the engine, under its admission bound: with the only
    worker busy it is refused at once (a server-thread layout would have answered 200)."""
    from analyser.render_pdf import pdf_renderer_available

    if not pdf_renderer_available():
        pytest.skip("WeasyPrint not installed (pip install 'agreement-analyser[pdf]')")
    options = ("--workers", "1", "--queue", "0", "--timeout", str(TIMEOUT))
    with running_server(tmp_path / "db.sqlite3", *options) as base:
        analysis_id = httpx.get(f"{base}/api/analyses", timeout=60).json()[0]["id"]
        url = f"{base}/analyses/{analysis_id}/report.pdf"
        results: list[tuple[httpx.Response, float]] = []
        thread = threading.Thread(target=lambda: results.append(_upload(base, "h.pdf", heavy)))
        thread.start()
        time.sleep(1.0)  # the only worker is parsing the heavy upload
        started = time.monotonic()
        busy = httpx.get(url, timeout=60)
        seconds = time.monotonic() - started
        thread.join(60)
        after = httpx.get(url, timeout=60)
    assert busy.status_code == 503 and seconds < GRACE
    assert int(busy.headers["retry-after"]) >= 1
    assert "The PDF report of warm.txt: the server is busy" in busy.text
    assert results[0][0].status_code == 504
    assert after.status_code == 200
    assert after.headers["content-type"] == "application/pdf"
    assert after.content.startswith(b"%PDF-")
