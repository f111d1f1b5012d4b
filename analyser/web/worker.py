"""Uploads are analysed by the execution engine (analyser.engine) in a separate engine process.

The web server runs threads (uvicorn's loop, the request thread pool), and forking a threaded
process can copy a held lock into the child; so the server does not fork workers itself. It
starts ONE *engine process* with ``spawn`` -- a fresh interpreter that builds and warms the
Analyser once, then runs the engine's single-threaded supervisor, which forks the warm workers.
Each upload travels to it over a pipe and is analysed -- extract, segment, detect, red flags,
quote contexts -- by one worker, under one deadline (``--timeout``) and one memory cap
(``ANALYSER_MAX_MEMORY_BYTES``); a heavy upload past either is killed alone, its worker
replaced, and every other upload carries on.

Admission is bounded: at most ``workers + queue_size`` uploads are in the engine at once (the
next one gets :class:`AnalysisBusy`, HTTP 503 with Retry-After), and an upload that waits in the
queue longer than the deadline is refused the same way rather than left hanging.

The compare page's word-level redline is the other costly thing the server does with a
partner's text: it aligns paragraphs and words with :class:`difflib.SequenceMatcher`, quadratic
at worst (two stored versions of 4,000 paragraphs that all differ took half a minute). It is
not run in the server process but sent to the same engine as a job of its own
(:class:`RedlineRequest`), under the same deadline, memory cap and admission bound as an upload.
So is the report page's PDF download (:class:`LayoutRequest`): WeasyPrint's layout grows with
what the report holds, and what it holds comes from the partner's draft. So is the checklist
download (:class:`ChecklistRequest`): python-docx builds it from every quote and flag the
partner's draft produced.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from analyser.document import Block, Document
from analyser.limits import Limits

if TYPE_CHECKING:
    from analyser.checklist import ChecklistFields
    from analyser.compare import Comparison
    from analyser.engine import Job, Outcome
    from analyser.pipeline import Analyser
    from analyser.report import Report

log = logging.getLogger(__name__)

# How much of a long paragraph to show on either side of a quote on the report page.
CONTEXT_CHARS = 500
# Extra seconds the server waits beyond the engine's own deadline before it gives up on the
# engine process itself (it is then restarted); more while the engine is still loading.
_GRACE = 10.0
_STARTUP_GRACE = 180.0
_READY = 0  # the key of the engine's "loaded and warm" message


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
    annotated: bytes | None = None  # the "Annotated draft" of a DOCX/PDF upload


class AnalysisTimeout(Exception):
    """The analysis did not finish within the time limit; its worker was stopped."""


class AnalysisInterrupted(Exception):
    """The engine process died; the upload may be retried."""


class AnalysisBusy(Exception):
    """Every worker is busy and the queue is full; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AnalysisRefused(Exception):
    """A worker refused the job (out of memory, crashed): ``kind`` is the AnalyserError class."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class RedlineRequest:
    """The compare page's word-level redline, as an engine job: two stored analyses, each
    its report and the document view and article of each block kept with it (the text)."""

    old_report: dict[str, Any]
    new_report: dict[str, Any]
    old_view: dict[str, Any]
    new_view: dict[str, Any]
    old_sections: list[str | None] | None = None
    new_sections: list[str | None] | None = None


@dataclass(frozen=True)
class LayoutRequest:
    """The report page's PDF download, as an engine job: the report's HTML to lay out."""

    html: str


@dataclass(frozen=True)
class ChecklistRequest:
    """The checklist download, as an engine job: the stored report (``Report.to_dict()``) and
    the options :func:`analyser.checklist.build_checklist` takes."""

    report: dict[str, Any]
    lang: str | None = None
    profile: str | None = None
    fields: ChecklistFields | None = None


def redline(request: RedlineRequest) -> Comparison:
    """The clause comparison with the word-level redline (runs in a worker)."""
    from analyser.compare import compare_texts
    from analyser.docview import view_paragraphs

    return compare_texts(
        request.old_report,
        request.new_report,
        view_paragraphs(request.old_view, request.old_sections),
        view_paragraphs(request.new_view, request.new_sections),
    )


def engine_task(analyser: Analyser, job: Job) -> AnalysisOutcome | Comparison | bytes:
    """The web engine's task: a redline, a PDF layout or a checklist DOCX when the job carries
    one, else an upload."""
    if isinstance(job.payload, RedlineRequest):
        return redline(job.payload)
    if isinstance(job.payload, LayoutRequest):
        from analyser.render_pdf import html_to_pdf

        return html_to_pdf(job.payload.html)
    if isinstance(job.payload, ChecklistRequest):
        from analyser.checklist import build_checklist, docx_bytes

        request = job.payload
        return docx_bytes(
            build_checklist(
                request.report, lang=request.lang, profile=request.profile, fields=request.fields
            )
        )
    return analyse_upload(analyser, job)


def analyse_upload(analyser: Analyser, job: Job) -> AnalysisOutcome:
    """The engine task (runs in a worker): extract, analyse, cut out each quote's paragraph,
    and write the annotated draft of a DOCX/PDF.

    The annotated draft is made here, at analysis time, rather than when it is downloaded:
    it parses the untrusted upload again (lxml, pypdf), and here that runs inside the
    worker's deadline and memory cap instead of in the server process. A draft that cannot
    be annotated leaves the analysis as it is; the reason is kept for the report page.
    """
    from analyser.extract import extract_bytes

    assert job.data is not None
    document = extract_bytes(job.data, job.name, limits=analyser.limits)
    result = analyser.analyse_document(document)
    report = result.to_dict()
    from analyser.docview import document_view
    from analyser.segment import block_sections
    from analyser.similarity import sketch

    contexts = quote_contexts(document, report)
    # Not offsets, so they cannot clash with the "start:end" keys: the document with its
    # findings marked (report page), and the sketch that finds other versions of it.
    contexts["view"] = document_view(document, report)
    contexts["sketch"] = sketch(document.text)
    # Each view block's article, so that the compare page can align its redline by article.
    contexts["sections"] = block_sections(document)
    annotated, contexts["annotate_error"] = _annotated_draft(result, job.data)
    return AnalysisOutcome(report=report, contexts=contexts, annotated=annotated)


def _annotated_draft(report: Report, data: bytes) -> tuple[bytes | None, str | None]:
    """(annotated copy, None), (None, why not), or (None, None) for a format not annotated."""
    from analyser.annotate import ANNOTATABLE, annotate_bytes
    from analyser.errors import AnalyserError

    if report.document.format not in ANNOTATABLE:
        return None, None
    try:
        return annotate_bytes(report, data), None
    except AnalyserError as e:
        return None, e.reason
    except MemoryError:
        return None, "annotating it ran out of memory"
    except Exception as e:  # noqa: BLE001 - a failed copy must not cost the analysis
        return None, " ".join(f"internal error: {type(e).__name__}: {e}".split())[:300]


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
    """The server's handle on the engine process: submit uploads, await their outcomes.

    ``workers`` analyses run at once; ``queue_size`` more may wait (default: twice the
    workers). Thread-safe; :meth:`analyse` is awaited on the server's event loop.
    """

    def __init__(
        self,
        workers: int = 1,
        *,
        profile: str | None = None,
        use_model: bool = True,
        queue_size: int | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.workers = max(1, workers)
        self.queue_size = 2 * self.workers if queue_size is None else max(0, queue_size)
        self.profile = profile
        self.use_model = use_model
        self.limits = limits
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._pending: dict[int, Future[Any]] = {}
        self._keys = itertools.count(1)
        self._ready = threading.Event()  # the current engine process has loaded the model

    @property
    def capacity(self) -> int:
        return self.workers + self.queue_size

    def warm_up(self) -> None:
        """Start the engine process now, so that it loads the model before the first upload."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> Connection:
        """Start the engine process if it is not running (called with the lock held)."""
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        limits = self.limits or Limits.from_env()
        process = context.Process(
            target=_engine_main,
            args=(theirs, self.profile, self.use_model, limits, self.workers),
            daemon=True,
            name="analyser-engine",
        )
        process.start()
        theirs.close()
        self._ready.clear()
        self._process, self._conn = process, ours
        reader = threading.Thread(
            target=self._read, args=(ours,), daemon=True, name="analyser-engine-reader"
        )
        reader.start()
        return ours

    def _read(self, conn: Connection) -> None:
        """Resolve the futures of finished uploads; fail them all if the engine dies."""
        while True:
            try:
                key, outcome = conn.recv()
            except (EOFError, OSError):
                break
            if key == _READY:
                self._ready.set()
                continue
            with self._lock:
                future = self._pending.pop(key, None)
            if future is not None and not future.done():
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        with self._lock:
            if self._conn is conn:
                self._process, self._conn = None, None
                lost, self._pending = self._pending, {}
            else:
                lost = {}
        for future in lost.values():
            if not future.done():
                future.set_exception(
                    AnalysisInterrupted("the analysis engine stopped; please try again")
                )

    async def analyse(self, data: bytes, name: str, timeout: float) -> AnalysisOutcome:
        """Analyse in a worker within ``timeout`` seconds (AnalysisTimeout past it).

        Raises AnalysisBusy at once when the engine already holds ``capacity`` uploads.
        """
        outcome: AnalysisOutcome = await self._run(("job", name, data), timeout)
        return outcome

    async def compare(self, request: RedlineRequest, timeout: float) -> Comparison:
        """:func:`redline` in a worker, bounded like an upload: AnalysisTimeout past
        ``timeout``, AnalysisBusy when the engine is full, AnalysisRefused when the worker ran
        out of memory or crashed, AnalysisInterrupted when the engine stopped."""
        answer = await self._run(("redline", "redline", request), timeout)
        if isinstance(answer, AnalysisOutcome):  # an error travels as an AnalysisOutcome
            raise AnalysisRefused(answer.error_kind or "", answer.error_reason or "unknown error")
        comparison: Comparison = answer
        return comparison

    async def layout_pdf(self, request: LayoutRequest, timeout: float) -> bytes:
        """The report's HTML laid out as PDF in a worker, bounded and refused like
        :meth:`compare` (AnalysisRefused with kind "RendererMissing" without WeasyPrint)."""
        return await self._run_for_bytes(("layout", "report.pdf", request), timeout)

    async def checklist_docx(self, request: ChecklistRequest, timeout: float) -> bytes:
        """The checklist built as DOCX in a worker, bounded and refused like :meth:`compare`."""
        return await self._run_for_bytes(("checklist", "checklist.docx", request), timeout)

    async def _run_for_bytes(self, message: tuple[str, str, Any], timeout: float) -> bytes:
        """A job whose answer is a file's bytes; an error answer raises AnalysisRefused."""
        answer = await self._run(message, timeout)
        if isinstance(answer, AnalysisOutcome):
            raise AnalysisRefused(answer.error_kind or "", answer.error_reason or "unknown error")
        return bytes(answer)

    async def _run(self, message: tuple[str, str, Any], timeout: float) -> Any:
        """Send one job (kind, name, input) to the engine and await its answer."""
        future: Future[Any] = Future()
        with self._lock:
            if len(self._pending) >= self.capacity:
                raise AnalysisBusy(
                    f"the server is busy ({len(self._pending)} analyses running or queued)",
                    retry_after=timeout,
                )
            conn = self._ensure_started()
            key = next(self._keys)
            self._pending[key] = future
        try:
            # A 25 MB upload takes a moment to cross the pipe: not on the event loop.
            kind, name, payload = message
            await asyncio.to_thread(_send, conn, (kind, key, name, payload, timeout))
        except (OSError, ValueError) as e:
            with self._lock:
                self._pending.pop(key, None)
            raise AnalysisInterrupted("the analysis engine stopped; please try again") from e
        # The engine enforces the deadline itself (queue wait <= timeout, analysis <= timeout);
        # this outer limit only guards against an engine process that stopped answering.
        guard = 2 * timeout + _GRACE + (0 if self._ready.is_set() else _STARTUP_GRACE)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), guard)
        except TimeoutError as e:
            with self._lock:
                self._pending.pop(key, None)
            self._restart()
            raise AnalysisInterrupted("the analysis engine did not answer; please try again") from e

    def _restart(self) -> None:
        with self._lock:
            process, self._process, self._conn = self._process, None, None
        if process is not None:
            process.kill()
            process.join(5)

    def shutdown(self) -> None:
        """Stop the engine process (its workers exit when their pipes close)."""
        with self._lock:
            process, conn = self._process, self._conn
            self._process, self._conn = None, None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        if process is not None:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)


_send_lock = threading.Lock()


def _send(conn: Connection, message: tuple[Any, ...]) -> None:
    with _send_lock:  # one message at a time on the pipe
        conn.send(message)


# --------------------------------------------------------------------------- engine process


def _engine_main(
    conn: Connection, profile: str | None, use_model: bool, limits: Limits, workers: int
) -> None:  # pragma: no cover - runs in the spawned engine process
    """Build and warm the Analyser once, then feed uploads to the engine's warm workers."""
    import signal

    from analyser.engine import Engine, Job
    from analyser.errors import AnalyserError, EngineBusy
    from analyser.errors import AnalysisTimeout as WorkerTimedOut
    from analyser.pipeline import Analyser

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    # The engine must never log document text, whatever the server's logging configuration.
    logging.getLogger().setLevel(logging.WARNING)
    try:
        analyser = Analyser.for_profile(profile, use_model=use_model, limits=limits).warm()
    except AnalyserError as e:
        _fail_everything(conn, e)
        return
    engine = Engine(
        analyser, engine_task, jobs=workers, limits=limits, warm=False, close_in_worker=[conn]
    )
    conn.send((_READY, None))

    def answer(outcome: Outcome) -> Any:
        error = outcome.error
        if error is None:
            return outcome.value  # an AnalysisOutcome, a redline's Comparison, or file bytes
        if isinstance(error, EngineBusy):
            return AnalysisBusy(error.reason, error.retry_after)
        if isinstance(error, WorkerTimedOut):
            return AnalysisTimeout(error.reason)
        return AnalysisOutcome(error_kind=type(error).__name__, error_reason=error.reason)

    try:
        while True:
            for outcome in engine.poll(timeout=0.5, extra=[conn]):
                conn.send((outcome.job.key, answer(outcome)))
            # Only documents that had their chance at a free worker in poll() may expire.
            engine.expire()
            while conn.poll(0):
                message = conn.recv()
                if message is None:
                    return
                kind, key, name, payload, seconds = message
                if kind in ("redline", "layout", "checklist"):
                    engine.submit(Job(key, name, payload=payload, seconds=seconds))
                else:
                    engine.submit(Job(key, name, data=payload, size=len(payload), seconds=seconds))
    except (EOFError, OSError):
        return  # the server is gone
    finally:
        engine.close()


def _fail_everything(conn: Connection, error: Exception) -> None:  # pragma: no cover
    """A bad profile or model: answer every upload with the error until the server stops."""
    outcome = AnalysisOutcome(error_kind=type(error).__name__, error_reason=str(error))
    with contextlib.suppress(EOFError, OSError):
        while True:
            message = conn.recv()
            if message is None:
                return
            conn.send((message[1], outcome))
