"""Analysis in worker processes with a time limit, one reusable Analyser per worker.

Extraction runs third-party parsers over untrusted bytes; doing it in a separate process means a
pathological PDF can be stopped (the worker is killed) without taking the server down, and the
server's event loop never blocks on CPU work. Each worker builds its Analyser once in the pool
initializer, so after the first upload a worker pays only for the document itself.

Workers are started with ``spawn``: forking a server that already runs threads (uvicorn, the
request thread pool) can copy a held lock into the child.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from analyser.document import Block, Document

log = logging.getLogger(__name__)

# How much of a long paragraph to show on either side of a quote on the report page.
CONTEXT_CHARS = 500

_ANALYSER: Any = None  # the worker's Analyser, built by _init_worker


@dataclass(frozen=True)
class AnalysisOutcome:
    """What a worker sends back: a report and its quote contexts, or an error.

    Errors travel as data, not exceptions: the library's exceptions do not survive pickling
    with their ``reason``/``path`` intact, and the web layer needs both to answer clearly.
    """

    report: dict[str, Any] | None = None
    contexts: dict[str, Any] = field(default_factory=dict)
    error_kind: str | None = None  # the AnalyserError class name
    error_reason: str | None = None


class AnalysisTimeout(Exception):
    """The analysis did not finish within the time limit; its worker was stopped."""


class AnalysisInterrupted(Exception):
    """The worker died (or was stopped for another upload's timeout); the upload may be retried."""


def _init_worker(profile: str | None, use_model: bool) -> None:
    global _ANALYSER
    from analyser.pipeline import Analyser

    # The worker must never log document text, whatever the parent's logging configuration.
    logging.getLogger().setLevel(logging.WARNING)
    _ANALYSER = Analyser.for_profile(profile, use_model=use_model)


def _warm_up() -> bool:
    """Load the model and matchers now, so the first real upload is as fast as the rest."""
    from analyser.extract import extract_bytes

    text = b"1. The Parties shall respect academic freedom.\n\n2. Either Party may terminate."
    _ANALYSER.analyse_document(extract_bytes(text, "warm-up.txt"))
    return True


def analyse_in_worker(data: bytes, name: str) -> AnalysisOutcome:
    """Runs in the worker: extract, analyse, and cut out each quote's paragraph."""
    from analyser.errors import AnalyserError
    from analyser.isolation import extract_isolated_bytes

    try:
        # Parsing runs in a further child with a memory cap, so a crafted upload that blows up
        # a parser (PDFium aborts, zip bombs) kills only that child, not the worker.
        document = extract_isolated_bytes(data, name)
        report = _ANALYSER.analyse_document(document).to_dict()
    except AnalyserError as e:
        return AnalysisOutcome(error_kind=type(e).__name__, error_reason=e.reason)
    return AnalysisOutcome(report=report, contexts=quote_contexts(document, report))


def quote_contexts(document: Document, report: dict[str, Any]) -> dict[str, Any]:
    """Map "start:end" of every quoted passage to the paragraph around it.

    The report keeps only the quote; the page shows it highlighted inside its paragraph, and
    the paragraph exists only while the Document does, so it is cut out here, at analysis
    time, and stored beside the report. Offsets come from the extractor, so the highlight is
    exact even when the quote's whitespace was collapsed.
    """
    contexts: dict[str, Any] = {}
    for ev in _all_evidence(report):
        start, end = ev.get("start"), ev.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        key = f"{start}:{end}"
        if key not in contexts:
            context = _context(document, start, end)
            if context is not None:
                contexts[key] = context
    return contexts


def _all_evidence(report: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for clause in report.get("clauses", []):
        found.extend(clause.get("evidence", []))
        for concern in clause.get("concerns", []) or []:
            found.extend(concern.get("evidence", []))
    for flag in report.get("red_flags", []):
        found.extend(flag.get("evidence", []))
    return found


def _context(document: Document, start: int, end: int) -> dict[str, str] | None:
    blocks: list[Block] = [b for b in document.blocks if b.start < end and b.end > start]
    if not blocks or not 0 <= start < end <= len(document.text):
        return None
    first, last = blocks[0].start, blocks[-1].end
    before = document.text[min(first, start) : start]
    after = document.text[end : max(last, end)]
    if len(before) > CONTEXT_CHARS:
        before = "…" + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return {"before": before, "quote": document.text[start:end], "after": after}


class WorkerPool:
    """A process pool whose stuck workers can be stopped.

    ``concurrent.futures`` cannot cancel a running task, so on a timeout the whole pool is
    stopped and replaced. Other uploads running at that moment fail with
    :class:`AnalysisInterrupted` and may be retried; the server itself carries on.
    """

    def __init__(
        self, workers: int = 1, *, profile: str | None = None, use_model: bool = True
    ) -> None:
        self.workers = max(1, workers)
        self.profile = profile
        self.use_model = use_model
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(self.profile, self.use_model),
                )
            return self._pool

    def warm_up(self) -> Future[bool]:
        """Start the workers and load the models in the background."""
        return self._executor().submit(_warm_up)

    async def analyse(self, data: bytes, name: str, timeout: float) -> AnalysisOutcome:
        """Analyse in a worker; raise AnalysisTimeout after ``timeout`` seconds."""
        pool = self._executor()
        try:
            future = pool.submit(analyse_in_worker, data, name)
        except (BrokenProcessPool, RuntimeError):
            self._replace(pool)
            future = self._executor().submit(analyse_in_worker, data, name)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError as e:
            self._replace(pool)
            raise AnalysisTimeout(f"the analysis took longer than {timeout:g} s") from e
        except BrokenProcessPool as e:
            self._replace(pool)
            raise AnalysisInterrupted("the analysis worker stopped; please try again") from e

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Stop ``pool``'s processes (if it is still the current one); the next use restarts."""
        with self._lock:
            if self._pool is not pool:
                return
            self._pool = None
        _kill(pool)

    def shutdown(self) -> None:
        """Stop the workers; they are idle at server shutdown, so let them exit cleanly."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public way to stop a running task before Python 3.14
    # (terminate_workers); terminating its processes is the documented effect we need.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
