"""Batch review: analyse a folder of agreements in parallel, resumably, without losing results.

An annual audit means hundreds of drafts in one run, some of them broken (truncated PDFs,
mislabelled ZIPs, empty files). The batch therefore treats every document as something that
may fail, hang or kill the process analysing it, and keeps going:

* each document is analysed in a worker process with a wall-clock limit; a worker that runs
  over is killed and replaced, a worker that dies (SIGKILL, the OOM killer) is replaced, and
  the document is reported with the reason;
* each worker writes its own reports atomically (temporary file + rename) as soon as a
  document is done, so a batch killed half way keeps everything it finished;
* a re-run skips documents whose JSON report in the output folder is for the same bytes
  (sha256), tool version, model version and profile, so only the rest is redone.

Process start method: ``forkserver``, with the analysis modules preloaded in the server.
``bench/bench_batch.py --methods`` times the same 200-document batch with each method. On the
shared 2-core machine (load average 4-9 from other jobs during the runs) the differences
between methods were within the run-to-run noise (the same configuration varied from 5 s to
17 s), so the choice rests on what the methods do rather than on those figures:
``spawn`` makes every worker import spaCy and the extractors again (about 1 s of CPU each,
paid again for every replacement worker); ``fork`` is cheapest but copies whatever the
parent holds at that moment -- the CLI parent or a web server embedding the batch, with its
threads and locks (a lock held by another thread at fork time stays held for ever in the
child), which Python 3.12 warns about and 3.14 stopped defaulting to. ``forkserver`` forks
from a clean single-threaded server that has already imported the libraries, so starting
or replacing a killed worker is cheap and safe, and the imported code is still shared
copy-on-write between workers. The model itself is not loaded in the server: each worker
builds ONE ``Analyser`` and reuses it for all its documents, so that cost is paid once per
worker whatever the start method.

Test hooks (read ONLY in :func:`_worker_main`, in the worker, never by the parent):
``ANALYSER_TEST_CRASH_ON=<file name>`` makes the worker SIGKILL itself on that document and
``ANALYSER_TEST_HANG_ON=<file name>`` makes it sleep for ever on it; they simulate a
parser that dies or hangs so the tests can check that the batch survives both. Because the
forkserver is started once per process, set them before the first batch runs (the tests run
the batch in a fresh subprocess).
"""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import io
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TextIO

from analyser.errors import AnalyserError

SUPPORTED_SUFFIXES = frozenset({".pdf", ".docx", ".txt"})
# Report format -> file extension; JSON is always written (it is what a re-run resumes from).
FORMAT_EXTENSIONS: dict[str, str] = {
    "json": "json", "html": "html", "markdown": "md", "text": "txt",
}
FORMAT_ALIASES: dict[str, str] = {"md": "markdown", "txt": "text"}
DEFAULT_TIMEOUT = 60.0
# Modules the forkserver imports once, so that each forked worker starts warm.
_PRELOAD = ["analyser.pipeline", "analyser.extract", "analyser.detect", "analyser.render"]
_STARTUP_FAILURES_ALLOWED = 3


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path
    jobs: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    formats: tuple[str, ...] = ("json",)
    profile: str | None = None
    use_model: bool = True
    force: bool = False
    start_method: str = "forkserver"


@dataclass
class DocResult:
    """One row of the summary: what became of one input file."""

    path: str
    name: str
    sha256: str = ""
    language: str = ""
    pages: int | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    red_flags: int = 0
    error: str | None = None
    skipped: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchResult:
    results: list[DocResult]
    clause_ids: list[str]
    clause_titles: dict[str, str]
    formats: tuple[str, ...]
    elapsed: float = 0.0
    worker_peak_rss_kb: int = 0

    @property
    def analysed(self) -> int:
        return sum(1 for r in self.results if r.ok and not r.skipped)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.skipped)

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if not r.ok]


@dataclass
class _Task:
    index: int
    path: Path
    name: str


@dataclass
class _Slot:
    """One worker process and the document it is working on, if any."""

    process: Any  # multiprocessing.process.BaseProcess (context-specific subclass)
    conn: Connection
    ready: bool = False
    task: _Task | None = None
    started: float = 0.0


# --------------------------------------------------------------------------------------------
# Discovery and naming


def parse_formats(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,md"`` -> ``("json", "html", "markdown")``: JSON first and always."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    formats = ["json"]
    for raw in items:
        item = FORMAT_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not item:
            continue
        if item not in FORMAT_EXTENSIONS:
            known = ", ".join(sorted({*FORMAT_EXTENSIONS, *FORMAT_ALIASES}))
            raise ValueError(f"unknown format {raw.strip()!r}; expected some of: {known}")
        if item not in formats:
            formats.append(item)
    return tuple(formats)


def _is_candidate(path: Path) -> bool:
    # Hidden files and Word's "~$name.docx" lock files are not agreements.
    return (
        path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith((".", "~$"))
        and path.is_file()
    )


def _walk(folder: Path, exclude: Path | None) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        root_path = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and (exclude is None or (root_path / d).resolve() != exclude)
        )
        found.extend(p for p in (root_path / f for f in sorted(files)) if _is_candidate(p))
    return found


def discover(inputs: Sequence[str | Path], exclude: Path | None = None) -> list[Path]:
    """Files to analyse: folders are walked recursively, globs expanded, files taken as given.

    A file named explicitly is taken whatever its extension (the extractor sniffs the bytes);
    in folders and globs only .pdf/.docx/.txt count. A path that does not exist and matches
    nothing is kept, so that it is reported as "file not found" rather than silently dropped.
    ``exclude`` (the output folder) is never walked. The same file reached twice counts once.
    """
    exclude = exclude.resolve() if exclude is not None else None
    seen: set[Path] = set()
    out: list[Path] = []

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for p in _walk(path, exclude):
                add(p)
        elif path.exists():
            add(path)
        elif glob.has_magic(str(raw)):
            for match in sorted(glob.glob(str(raw), recursive=True)):
                m = Path(match)
                if m.is_dir():
                    for p in _walk(m, exclude):
                        add(p)
                elif _is_candidate(m):
                    add(m)
        else:
            add(path)
    return out


def assign_names(paths: Sequence[Path]) -> list[str]:
    """A report name per input, unique and independent of the order the files were found in.

    The name is the file name ("mou.pdf", so mou.pdf and mou.txt do not collide). Files with
    the same name in different folders get as many parent folders as it takes to tell them
    apart, joined with "__" ("faculty-a__mou.pdf"); anything still equal gets "~2", "~3"
    in the sorted order of the full paths. The same folder therefore always gives the same
    names, which is what lets a re-run find its earlier reports.
    """
    parts = [Path(os.path.abspath(p)).parts for p in paths]
    names = [p[-1] for p in parts]
    depth = 1
    while True:
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            groups.setdefault(name, []).append(i)
        clashes = [idx for idx in groups.values() if len(idx) > 1]
        if not clashes:
            return names
        progressed = False
        for idx in clashes:
            for i in idx:
                if len(parts[i]) > depth:
                    longer = "__".join(parts[i][-depth - 1 :]).lstrip("/\\") or names[i]
                    progressed |= longer != names[i]
                    names[i] = longer
        depth += 1
        if not progressed:
            break
    groups = {}
    for i, name in enumerate(names):
        groups.setdefault(name, []).append(i)
    for idx in groups.values():
        for n, i in enumerate(sorted(idx, key=lambda j: str(paths[j])), start=1):
            if n > 1:
                names[i] = f"{names[i]}~{n}"
    return names


def file_sha256(path: Path) -> str:
    """The same digest the extractor puts in the report ("" when the file cannot be read)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def report_path(out_dir: Path, name: str, fmt: str) -> Path:
    return out_dir / f"{name}.{FORMAT_EXTENSIONS[fmt]}"


# --------------------------------------------------------------------------------------------
# Resuming


@dataclass(frozen=True)
class Versions:
    """What must match for an earlier report to be reused."""

    tool_version: str
    model_version: str | None
    profile: str


def current_versions(profile: str | None, use_model: bool) -> Versions:
    """Versions a report made now would carry, from a probe analysis of a one-line text.

    Asking the pipeline (instead of re-deriving the model version here) keeps the resume
    check honest if the pipeline changes how it stamps reports. It also fails fast, in the
    parent, on a bad profile (exit 2) or an unusable model (exit 4).
    """
    from analyser.document import Block, Document
    from analyser.pipeline import Analyser

    text = "This agreement is a probe."
    probe = Document("probe", "", "", "txt", text, [Block(text, 0, len(text))])
    report = Analyser.for_profile(profile, use_model=use_model).analyse_document(probe)
    return Versions(report.tool_version, report.model_version, report.profile)


def _row_from_report(data: dict[str, Any], path: str, name: str) -> DocResult:
    doc = data.get("document") or {}
    return DocResult(
        path=path,
        name=name,
        sha256=str(doc.get("sha256", "")),
        language=str(doc.get("language", "")),
        pages=doc.get("pages"),
        statuses={c["id"]: c["status"] for c in data.get("clauses", [])},
        red_flags=len(data.get("red_flags") or []),
    )


def previous_result(
    out_dir: Path, task: _Task, sha256: str, versions: Versions, formats: Sequence[str]
) -> DocResult | None:
    """The summary row of an earlier, still valid report for this file, or None."""
    if not sha256:
        return None
    if not all(report_path(out_dir, task.name, f).is_file() for f in formats):
        return None
    try:
        data = json.loads(report_path(out_dir, task.name, "json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # half-written by another tool, or edited: redo it
    if not isinstance(data, dict):
        return None
    same = (
        (data.get("document") or {}).get("sha256") == sha256
        and data.get("tool_version") == versions.tool_version
        and data.get("model_version") == versions.model_version
        and data.get("profile") == versions.profile
    )
    if not same:
        return None
    row = _row_from_report(data, str(task.path), task.name)
    row.skipped = True
    return row


def _remove_stale_temporaries(out_dir: Path, names: Iterable[str]) -> None:
    """Temporary files of reports a killed run was writing (``.<report>.<random>``)."""
    prefixes = tuple(f".{name}." for name in names)
    if not out_dir.is_dir():
        return
    for entry in out_dir.iterdir():
        if entry.name.startswith(prefixes) and entry.is_file():
            entry.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Worker


def _worker_main(
    conn: Connection, profile: str | None, use_model: bool, formats: tuple[str, ...],
    out_dir: str,
) -> None:
    """Entry point of a worker process: build ONE Analyser, then analyse what the parent sends.

    Reports are rendered and written here, so only a small summary row crosses the pipe and
    a finished document is on disk even if the parent dies the next moment.
    """
    import resource

    from analyser.errors import UnreadableDocument
    from analyser.output import write_atomically
    from analyser.pipeline import Analyser
    from analyser.render import render

    # Test hooks (see the module docstring); inert unless the variables are set.
    crash_on = os.environ.get("ANALYSER_TEST_CRASH_ON")
    hang_on = os.environ.get("ANALYSER_TEST_HANG_ON")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        analyser = Analyser.for_profile(profile, use_model=use_model)
        analyser.model()
    except AnalyserError as e:
        conn.send(("fatal", str(e), e.exit_code))
        return
    conn.send(("ready",))
    target = Path(out_dir)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        index, path, name = message
        file_name = Path(path).name
        if crash_on and file_name == crash_on:
            os.kill(os.getpid(), signal.SIGKILL)
        if hang_on and file_name == hang_on:
            while True:
                time.sleep(3600)
        try:
            report = analyser.analyse_path(path)
            for fmt in formats:
                write_atomically(report_path(target, name, fmt), render(report, fmt) + "\n")
            row = _row_from_report(report.to_dict(), path, name)
            outcome: tuple[Any, ...] = ("done", index, row)
        except UnreadableDocument as e:
            outcome = ("failed", index, e.reason)
        except AnalyserError as e:
            outcome = ("failed", index, str(e))
        except Exception as e:  # noqa: BLE001 - one odd file must not end the batch
            outcome = ("failed", index, f"internal error: {type(e).__name__}: {e}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            conn.send((*outcome, rss))
        except (BrokenPipeError, OSError):
            return


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"the worker analysing it was killed by {name}{hint}"
    return f"the worker analysing it exited unexpectedly (exit code {exitcode})"


# --------------------------------------------------------------------------------------------
# Parent


class _Pool:
    """N workers, one document each at a time, with per-document deadlines.

    A hand-made pool rather than ``concurrent.futures``: a ProcessPoolExecutor cannot kill
    the one worker that hangs, and it marks the whole pool broken when any worker dies.
    """

    def __init__(self, options: BatchOptions, jobs: int) -> None:
        self.options = options
        self.jobs = jobs
        self.ctx: Any = multiprocessing.get_context(options.start_method)
        if options.start_method == "forkserver":
            self.ctx.set_forkserver_preload(_PRELOAD)
        self.slots: list[_Slot] = []
        self.startup_failures = 0
        self.peak_rss_kb = 0

    def start_worker(self) -> None:
        parent_conn, child_conn = self.ctx.Pipe()
        opts = self.options
        process = self.ctx.Process(
            target=_worker_main,
            args=(child_conn, opts.profile, opts.use_model, opts.formats, str(opts.out_dir)),
            daemon=True,
            name="analyser-batch-worker",
        )
        process.start()
        child_conn.close()
        self.slots.append(_Slot(process, parent_conn))

    def retire(self, slot: _Slot, kill: bool = False) -> None:
        if kill and slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        slot.conn.close()
        self.slots.remove(slot)

    def shutdown(self) -> None:
        for slot in list(self.slots):
            if slot.process.is_alive() and slot.task is None:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
        deadline = time.monotonic() + 2
        for slot in list(self.slots):
            slot.process.join(max(0.0, deadline - time.monotonic()))
            self.retire(slot, kill=True)


def run_batch(
    inputs: Sequence[Path],
    options: BatchOptions,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Analyse ``inputs`` into ``options.out_dir`` and write the summaries.

    Raises :class:`AnalyserError` only for what stops the whole batch (bad profile, unusable
    model); an unreadable, hanging or crashing document becomes a row with an ``error``.
    """
    from analyser.profiles import load_profile

    started = time.perf_counter()
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    prof = load_profile(options.profile)
    clause_ids = [c.id for c in prof.clauses]
    clause_titles = {c.id: c.localized_title("en") for c in prof.clauses}
    names = assign_names(inputs)
    tasks = [_Task(i, p, n) for i, (p, n) in enumerate(zip(inputs, names, strict=True))]
    _remove_stale_temporaries(out_dir, names)

    results: list[DocResult | None] = [None] * len(tasks)
    hashes = {t.index: file_sha256(t.path) for t in tasks}
    pending: deque[_Task] = deque()
    # The probe loads the pipeline into the parent: only worth it when there is something to
    # resume. A fresh run leaves all of that to the workers, which start in parallel.
    resumable = not options.force and any(
        report_path(out_dir, t.name, "json").is_file() for t in tasks
    )
    versions = current_versions(options.profile, options.use_model) if resumable else None
    for task in tasks:
        old = None
        if not options.force and versions is not None:
            old = previous_result(out_dir, task, hashes[task.index], versions, options.formats)
        if old is not None:
            results[task.index] = old
        else:
            pending.append(task)

    total, done = len(tasks), len(tasks) - len(pending)
    if progress:
        progress(done, total)
    peak = 0
    if pending:
        peak = _run_pool(options, pending, hashes, results, total, done, progress)

    final = [r for r in results if r is not None]
    batch = BatchResult(final, clause_ids, clause_titles, options.formats,
                        time.perf_counter() - started, peak)
    from analyser.output import write_atomically

    write_atomically(out_dir / "summary.csv", summary_csv(batch))
    write_atomically(out_dir / "summary.html", summary_html(batch))
    return batch


def _run_pool(
    options: BatchOptions,
    pending: deque[_Task],
    hashes: dict[int, str],
    results: list[DocResult | None],
    total: int,
    done: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(pending)))
    pool = _Pool(options, jobs)

    def finish(task: _Task, row: DocResult) -> None:
        nonlocal done
        row.sha256 = row.sha256 or hashes[task.index]
        results[task.index] = row
        done += 1
        if progress:
            progress(done, total)

    def fail(task: _Task, reason: str) -> None:
        finish(task, DocResult(str(task.path), task.name, error=reason))

    def handle(slot: _Slot, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            slot.ready = True
            pool.startup_failures = 0
        elif kind == "fatal":
            error = AnalyserError(message[1])
            error.exit_code = message[2]
            raise error
        elif slot.task is not None:
            task, slot.task = slot.task, None
            pool.peak_rss_kb = max(pool.peak_rss_kb, int(message[-1]))
            if kind == "done":
                row: DocResult = message[2]
                row.seconds = time.monotonic() - slot.started
                finish(task, row)
            else:
                fail(task, str(message[2]))

    try:
        for _ in range(jobs):
            pool.start_worker()
        while pending or any(s.task for s in pool.slots):
            for slot in pool.slots:
                if slot.ready and slot.task is None and pending:
                    slot.task, slot.started = pending.popleft(), time.monotonic()
                    slot.conn.send((slot.task.index, str(slot.task.path), slot.task.name))
            now = time.monotonic()
            deadlines = [s.started + options.timeout - now for s in pool.slots if s.task]
            timeout = max(0.0, min(deadlines)) if deadlines else 1.0
            ready = set(
                wait([s.conn for s in pool.slots] + [s.process.sentinel for s in pool.slots],
                     timeout=timeout)
            )
            for slot in list(pool.slots):
                dead = slot.process.sentinel in ready
                if slot.conn in ready or dead:
                    try:
                        while slot.conn.poll():
                            handle(slot, slot.conn.recv())
                    except (EOFError, OSError):
                        dead = True
                if dead or not slot.process.is_alive():
                    slot.process.join(5)
                    if slot.task is not None:
                        fail(slot.task, _death_reason(slot.process.exitcode))
                    elif not slot.ready:
                        pool.startup_failures += 1
                        if pool.startup_failures > _STARTUP_FAILURES_ALLOWED:
                            raise AnalyserError(
                                "batch workers keep dying before they start: "
                                + _death_reason(slot.process.exitcode)
                            )
                    pool.retire(slot)
                    if pending:
                        pool.start_worker()
                elif slot.task and time.monotonic() - slot.started > options.timeout:
                    task = slot.task
                    pool.retire(slot, kill=True)
                    fail(task, f"timed out after {options.timeout:g} s (analysis stopped)")
                    if pending:
                        pool.start_worker()
            # Keep the pool at strength if workers were lost with no task to blame.
            while pending and len(pool.slots) < jobs:
                pool.start_worker()
    finally:
        pool.shutdown()
    return pool.peak_rss_kb


# --------------------------------------------------------------------------------------------
# Summaries


def _csv_cell(value: Any) -> str:
    """Neutralise spreadsheet formulas: a file named "=HYPERLINK(...).pdf" stays text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summary_csv(batch: BatchResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["file", "report", "sha256", "language", "pages", *batch.clause_ids, "red_flags", "error"]
    )
    for r in batch.results:
        writer.writerow(
            _csv_cell(v)
            for v in (
                r.path,
                f"{r.name}.json" if r.ok else "",
                r.sha256,
                r.language,
                r.pages,
                *(r.statuses.get(c, "") if r.ok else "" for c in batch.clause_ids),
                r.red_flags if r.ok else "",
                r.error or "",
            )
        )
    return buffer.getvalue()


def summary_html(batch: BatchResult) -> str:
    from analyser.render import ENV

    link_fmt = "html" if "html" in batch.formats else "json"
    return ENV.get_template("batch_summary.html.j2").render(
        batch=batch,
        link_ext=FORMAT_EXTENSIONS[link_fmt],
        status_rank={"present": 0, "partial": 1, "missing": 2},
    )


# --------------------------------------------------------------------------------------------
# Progress


class ProgressLine:
    """"done/total · rate · ETA" rewritten in place on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.first: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.first is None:
            self.first, self.started = done, time.monotonic()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (done - self.first) / elapsed
        if rate > 0 and done < total:
            eta = f"ETA {_duration((total - done) / rate)}"
        else:
            eta = "done" if done >= total else "ETA –"
        width = 24
        filled = int(width * done / total) if total else width
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r{bar} {done}/{total} documents · {rate:.1f}/s · {eta}\x1b[K")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
