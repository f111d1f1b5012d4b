"""The isolated extraction: same answers as in-process, and a parent that survives the child."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import analyser.extract as extraction
import analyser.isolation as isolation
from analyser.errors import (
    CorruptDocument,
    DocumentTooLarge,
    ParserCrashed,
    ParserOutOfMemory,
    ParserTimeout,
    UnreadableDocument,
)
from analyser.extract import extract, extract_bytes
from analyser.isolation import extract_isolated, extract_isolated_bytes
from analyser.limits import Limits

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_FILES = [
    SAMPLES / "exchange-nordhavn-hanbit.pdf",
    SAMPLES / "dsa-hordafjord-lakeshore.docx",
    SAMPLES / "collab-lakeshore-bremnes.txt",
]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.suffix[1:])
def test_isolated_extraction_equals_in_process(path: Path) -> None:
    assert extract_isolated(path) == extract(path)
    data = path.read_bytes()
    assert extract_isolated_bytes(data, path.name) == extract_bytes(data, path.name)


def test_errors_cross_the_process_boundary_with_class_reason_and_path() -> None:
    with pytest.raises(CorruptDocument) as info:
        extract_isolated_bytes(b"", "upload.pdf")
    assert info.value.reason == "empty file"
    assert info.value.path == "upload.pdf"
    assert str(info.value) == "upload.pdf: empty file"


def test_size_is_checked_in_the_parent_without_forking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked"))
    with pytest.raises(DocumentTooLarge):
        extract_isolated(path, Limits(max_file_bytes=1024))
    with pytest.raises(DocumentTooLarge):
        extract_isolated_bytes(b"x" * 2048, "big.txt", Limits(max_file_bytes=1024))


def test_limits_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSER_MAX_FILE_BYTES", "10")
    with pytest.raises(DocumentTooLarge, match="the limit is 10B"):
        extract_isolated_bytes(b"x" * 11, "a.txt")


def _patch_parser(monkeypatch: pytest.MonkeyPatch, behaviour: Any) -> None:
    """Make the parser (run in the child) misbehave; the fork inherits the patch."""
    monkeypatch.setattr(extraction, "extract", lambda path, limits=None: behaviour())


def _hang() -> None:
    time.sleep(600)


def _abort() -> None:
    os.abort()


def _segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _allocate() -> None:
    hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB
    raise AssertionError(f"allocated {len(hog)} blocks under the cap")


def _exit_silently() -> None:
    os._exit(5)


@pytest.mark.parametrize(
    ("behaviour", "error", "reason"),
    [
        (_hang, ParserTimeout, "parser timed out after 1 s"),
        (_abort, ParserCrashed, "parser crashed (signal SIGABRT)"),
        (_segfault, ParserCrashed, "parser crashed (signal SIGSEGV)"),
        (_allocate, ParserOutOfMemory, "parser ran out of memory (limit 256MB)"),
        (_exit_silently, ParserCrashed, "parser exited with status 5 without an answer"),
    ],
    ids=["timeout", "sigabrt", "sigsegv", "memory", "silent-exit"],
)
def test_child_failures_become_clear_errors(
    monkeypatch: pytest.MonkeyPatch, behaviour: Any, error: type[Exception], reason: str
) -> None:
    _patch_parser(monkeypatch, behaviour)
    limits = Limits(max_seconds=1.0, max_memory_bytes=256 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(error) as info:
        extract_isolated(SAMPLE_FILES[2], limits)
    assert isinstance(info.value, UnreadableDocument)
    assert info.value.reason == reason
    assert str(info.value).startswith(str(SAMPLE_FILES[2]))
    assert time.monotonic() - started < 10
    # The parent is unharmed and the next document goes through.
    monkeypatch.undo()
    assert extract_isolated(SAMPLE_FILES[2]).text


def test_interrupt_kills_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_parser(monkeypatch, _hang)
    pids: list[int] = []
    real_fork = os.fork

    def recording_fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    class InterruptedPoll:
        def register(self, *args: object) -> None:
            pass

        def poll(self, timeout: float) -> list[object]:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fork", recording_fork)
    monkeypatch.setattr(isolation.select, "poll", InterruptedPoll)
    with pytest.raises(KeyboardInterrupt):
        extract_isolated(SAMPLE_FILES[2])
    assert len(pids) == 1
    with pytest.raises(ProcessLookupError):  # killed and reaped: no process, not even a zombie
        os.kill(pids[0], 0)


def test_concurrent_extractions_in_threads_do_not_block_each_other() -> None:
    results: dict[int, int] = {}

    def work(n: int) -> None:
        results[n] = len(extract_isolated(SAMPLE_FILES[n % 3]).text)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == list(range(6))
    assert all(results.values())


def _in_daemon(path: str, queue: Any) -> None:
    outcomes = []
    for data in (Path(path).read_bytes(), b"%PDF-1.7\n" + os.urandom(64)):
        try:
            outcomes.append(("ok", len(extract_isolated_bytes(data, "x.pdf").text)))
        except UnreadableDocument as e:
            outcomes.append((type(e).__name__, e.reason))
    queue.put(outcomes)


def test_works_inside_a_daemonic_multiprocessing_worker() -> None:
    """Batch workers are daemonic; they may not start multiprocessing children, but may fork."""
    context = multiprocessing.get_context("forkserver")
    queue = context.Queue()
    process = context.Process(target=_in_daemon, args=(str(SAMPLE_FILES[0]), queue), daemon=True)
    process.start()
    outcomes = queue.get(timeout=60)
    process.join(10)
    assert outcomes[0][0] == "ok" and outcomes[0][1] > 1000
    assert outcomes[1][0] == "CorruptDocument"
