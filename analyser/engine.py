"""The execution engine: the whole analysis of each document in a warm, bounded, killable worker.

``check``, ``batch`` and ``serve`` all analyse untrusted documents, and the costly stages are
not only the parsers: a 158 KB PDF of 999 pages sharing one content stream parses in seconds
and then keeps segmentation and matching busy for minutes. So the unit that is bounded is the
*whole* analysis of one document -- extract, segment, detect, red flags and the caller's own
finishing step (rendering and writing a batch report, cutting quote contexts for the web) --
and the same engine runs it for all three commands:

* **Warm workers.** The process that runs the :class:`Engine` (the *supervisor*) builds one
  :class:`~analyser.pipeline.Analyser` and warms it (model, both languages' pipelines and
  matchers) before it forks the workers, so they inherit all of it copy-on-write. A worker
  analyses document after document: no process start, no import, no model load per document.
* **One deadline per document.** The supervisor hands a document to an idle worker and
  SIGKILLs that worker when ``max_seconds`` have passed; the document is refused with one line
  ("analysis timed out after 60 s") and a fresh worker is forked from the warm supervisor.
* **One memory cap per document.** Before each document the worker sets its address-space
  limit (``RLIMIT_AS``) to its current size plus ``max_memory_bytes``: an allocation beyond it
  fails (MemoryError, or a native abort), and the document is refused ("analysis needed more
  than 1 GiB"); the worker is replaced.
* **Bounded RSS.** A worker whose resident memory grew by more than ``rss_growth`` since it
  was forked (fragmentation, caches) exits after its answer and is replaced.
* **Longest first, streamed.** Pending documents are handed out largest file first, so a
  long document does not start last and hold up the end of a batch; outcomes are yielded as
  they finish.

Why ``os.fork`` from a single-threaded supervisor rather than :mod:`multiprocessing` pools or
``pebble``: a pool starts its workers from its own management thread, and forking from a
threaded process can copy a held lock into the child; ``spawn``/``forkserver`` workers would
each load spaCy and the model again (about a second, paid again after every kill). The CLI
process is single-threaded; the web server, which is not, runs its supervisor in a spawned
*engine process* (:mod:`analyser.web.worker`). ``bench/bench_pools.py`` measures this engine
against ``pebble`` on the same work; the figures are in the README.

POSIX only (``os.fork``, ``RLIMIT_AS``); the project runs on Linux.
"""

from __future__ import annotations

import bisect
import contextlib
import faulthandler
import gc
import itertools
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from analyser import errors
from analyser.errors import (
    AnalyserError,
    AnalysisCrashed,
    AnalysisOutOfMemory,
    AnalysisTimeout,
    CorruptDocument,
    EngineBusy,
)
from analyser.limits import Limits

if TYPE_CHECKING:
    from analyser.pipeline import Analyser

__all__ = [
    "Engine",
    "Job",
    "Outcome",
    "analyse_job",
    "analyse_job_with_view",
    "default_jobs",
    "human_bytes",
    "command_epoch",
]

# A worker that died of SIGABRT/SIGSEGV after growing by this share of its memory cap most
# likely hit the cap inside native code (PDFium aborts on a failed allocation).
_NEAR_CAP = 0.5
_PAGE = resource.getpagesize()
# A command run inside a long-lived process (a test runner, a notebook) counts at most this
# much of the time before its own start against its documents (see command_epoch).
_BEFORE_COMMAND = 2.0


@dataclass(frozen=True)
class Job:
    """One document to analyse: a path, or bytes (an upload, standard input)."""

    key: Any  # the caller's handle, returned in the Outcome
    name: str  # shown in messages: the path as given, or the upload's name
    path: str | None = None
    data: bytes | None = None
    size: int = 0  # bytes; larger documents are handed out first
    seconds: float | None = None  # deadline for this job; None: the engine's max_seconds
    # The task's own input when it is not one document (the web's redline: two stored texts).
    payload: Any = None


@dataclass
class Outcome:
    """What became of one job: the task's value, or the error that refused the document."""

    job: Job
    value: Any = None
    error: AnalyserError | None = None
    seconds: float = 0.0  # wall-clock time in the worker
    worker_rss: int = 0  # the worker's resident bytes after the job (0 when it died)

    @property
    def ok(self) -> bool:
        return self.error is None


Task = Callable[["Analyser", Job], Any]


def analyse_job(analyser: Analyser, job: Job) -> Any:
    """The default task: the whole analysis of one document, returning its Report."""
    if job.data is not None:
        from analyser.extract import extract_bytes

        return analyser.analyse_document(extract_bytes(job.data, job.name, limits=analyser.limits))
    assert job.path is not None
    return analyser.analyse_path(job.path)


def analyse_job_with_view(analyser: Analyser, job: Job) -> tuple[Any, dict[str, Any]]:
    """Like :func:`analyse_job`, also returning the document view of the report
    (:func:`analyser.docview.document_view`): the HTML report shows the findings in the text,
    and the extracted Document exists only inside the worker."""
    from analyser.docview import document_view

    if job.data is not None:
        from analyser.extract import extract_bytes

        document = extract_bytes(job.data, job.name, limits=analyser.limits)
        report = analyser.analyse_document(document)
    else:
        assert job.path is not None
        report, document = analyser.analyse_file(job.path)
    return report, document_view(document, report.to_dict())


def default_jobs() -> int:
    """Workers when none is asked for: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def command_epoch() -> float:
    """When the running command started, on the :func:`time.monotonic` clock.

    Called first thing in a command. In a fresh ``analyser`` process that is the process's
    start (so the interpreter's own start-up counts too); in a long-lived process that runs
    the command (a test runner, a notebook) it is about now. The commands pass it as the
    engine's ``epoch``, so that their start-up counts against the deadline of a document
    (issue 13: "within --max-seconds + 5 s, end to end").
    """
    now = time.monotonic()
    return max(_process_started(now), now - _BEFORE_COMMAND)


def _process_started(now: float) -> float:
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            # Field 22 (starttime, clock ticks after boot); the command name (field 2) may
            # hold spaces, so count from the closing parenthesis.
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - max(0.0, age)


def human_bytes(size: float) -> str:
    """``1073741824`` -> ``1 GiB``; ``805306368`` -> ``768 MiB`` (for one-line messages)."""
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{int(size)} B"


@dataclass
class _Worker:
    pid: int
    conn: Connection
    forked_rss: int  # the supervisor's RSS at the fork: what the child starts with
    job: Job | None = None
    started: float = 0.0
    deadline: float = 0.0


@dataclass(order=True)
class _Queued:
    order: tuple[int, int]  # (size, -sequence): popping the last gives the largest, FIFO ties
    job: Job = field(compare=False)
    submitted: float = field(compare=False)


class Engine:
    """A supervisor of warm worker processes; see the module docstring.

    Use :meth:`run` for a known list of documents (check, batch), or :meth:`submit` and
    :meth:`poll` in a loop for documents that arrive over time (the web engine process).
    Not thread-safe: one thread drives it.
    """

    def __init__(
        self,
        analyser: Analyser,
        task: Task = analyse_job,
        *,
        jobs: int | None = None,
        limits: Limits | None = None,
        rss_growth: int | None = None,
        warm: bool = True,
        close_in_worker: Sequence[Connection] = (),
        epoch: float | None = None,
    ) -> None:
        self.limits = limits or analyser.limits or Limits.from_env()
        analyser.limits = self.limits
        analyser.isolate = False  # the worker is the isolation: no second fork per document
        self.analyser = analyser
        self.task = task
        self.jobs = max(1, jobs or default_jobs())
        self.rss_growth = rss_growth or self.limits.max_memory_bytes // 4
        self.warm = warm
        self.close_in_worker = list(close_in_worker)
        # When the command started (time.monotonic()); the time it took to get to the first
        # documents -- imports, loading, warming -- is taken off their deadline (at most half
        # of it), so that a document is done or refused within about max_seconds of the
        # command starting; later documents get their whole deadline from hand-out.
        self.epoch = epoch
        self._first_wave = self.jobs
        self.peak_worker_rss = 0
        self.forks = 0
        self._warmed = False
        self._workers: list[_Worker] = []
        self._queue: list[_Queued] = []
        self._done: list[Outcome] = []
        self._sequence = itertools.count()

    # --- feeding -----------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queue a document; the largest queued document is handed out first."""
        entry = _Queued((job.size, -next(self._sequence)), job, time.monotonic())
        bisect.insort(self._queue, entry)

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def running(self) -> int:
        return sum(1 for w in self._workers if w.job is not None)

    def expire(self) -> None:
        """Refuse queued documents that waited longer than their own deadline for a worker.

        Used where documents keep arriving (the web): with every worker busy on heavy
        documents, a queued one is answered "busy" after at most its deadline instead of
        waiting behind an ever longer queue.
        """
        now = time.monotonic()
        keep = []
        for entry in self._queue:
            max_wait = entry.job.seconds or self.limits.max_seconds
            if now - entry.submitted > max_wait:
                busy = EngineBusy(
                    f"the server is busy: no worker became free within {max_wait:g} s",
                    retry_after=max_wait,
                )
                busy.path = entry.job.name
                self._done.append(Outcome(entry.job, error=busy))
            else:
                keep.append(entry)
        self._queue = keep

    def run(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Analyse ``jobs``; yield each outcome as it finishes. Stops the workers at the end."""
        for job in jobs:
            self.submit(job)
        try:
            while self._queue or self.running or self._done:
                yield from self.poll()
        finally:
            self.close()

    # --- the loop ----------------------------------------------------------------------

    def poll(self, timeout: float | None = None, extra: Sequence[Any] = ()) -> list[Outcome]:
        """Hand out work, wait for answers, deadlines or ``extra`` objects; return outcomes.

        Waits at most ``timeout`` seconds (None: until something happens); returns as soon as
        an object in ``extra`` (e.g. the web server's connection) is ready to read.
        """
        self._dispatch()
        if not self._done:
            now = time.monotonic()
            deadlines = [w.deadline - now for w in self._workers if w.job is not None]
            wait_for = min([max(0.0, d) for d in deadlines], default=None)
            if timeout is not None:
                wait_for = timeout if wait_for is None else min(wait_for, timeout)
            objects = [w.conn for w in self._workers if w.job is not None]
            if objects or extra or wait_for is not None:
                ready = wait([*objects, *extra], timeout=wait_for)
                for worker in [w for w in self._workers if w.conn in ready]:
                    self._receive(worker)
            self._enforce_deadlines()
            self._dispatch()
        done, self._done = self._done, []
        return done

    def close(self) -> None:
        """Stop every worker: idle ones are told to exit, busy ones are killed."""
        for worker in list(self._workers):
            if worker.job is None:
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(None)
            else:
                _kill(worker.pid)
        for worker in list(self._workers):
            self._reap(worker, wait_seconds=2.0)
        self._queue.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- supervisor internals ----------------------------------------------------------

    def _dispatch(self) -> None:
        while self._queue:
            idle = next((w for w in self._workers if w.job is None), None)
            if idle is None:
                if len(self._workers) >= self.jobs:
                    return
                idle = self._fork()
            entry = self._queue.pop()
            try:
                idle.conn.send(entry.job)
            except (OSError, ValueError):  # died while idle: replace it, keep the job
                self._queue.append(entry)
                self._reap(idle)
                continue
            idle.job = entry.job
            idle.started = time.monotonic()
            seconds = entry.job.seconds or self.limits.max_seconds
            idle.deadline = idle.started + seconds
            if self.epoch is not None and self._first_wave > 0:
                # The first document of each worker waited for the command's start-up: that
                # time counts against it, but never more than half of its deadline.
                self._first_wave -= 1
                startup = max(0.0, idle.started - self.epoch)
                idle.deadline -= min(startup, seconds / 2)

    def _fork(self) -> _Worker:
        if self.warm and not self._warmed:
            self.analyser.warm()
            self._warmed = True
        parent_end, child_end = Pipe()
        rss = _resident_bytes()
        # What the worker inherits (spaCy, the matchers, the model) is frozen out of the
        # cyclic garbage collector in the child: its full collections neither walk those
        # objects (≈5 ms a ten-page document) nor write to their pages, which would copy
        # them out of the memory shared with the supervisor. The supervisor unfreezes its own.
        gc.freeze()
        pid = os.fork()
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # pragma: no cover - the worker; measured through the supervisor
            status = 70
            try:
                parent_end.close()
                for conn in [*(w.conn for w in self._workers), *self.close_in_worker]:
                    with contextlib.suppress(OSError):
                        conn.close()
                _worker_main(child_end, self.analyser, self.task, self.limits, self.rss_growth)
                status = 0
            finally:
                os._exit(status)
        child_end.close()
        self.forks += 1
        worker = _Worker(pid, parent_end, rss)
        self._workers.append(worker)
        return worker

    def _receive(self, worker: _Worker) -> None:
        job = worker.job
        try:
            answer, rss, recycle, seconds = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker)
            return
        except Exception:  # noqa: BLE001 - a damaged pickle: the worker cannot be trusted
            _kill(worker.pid)
            self._reap(worker)
            if job is not None:
                crash = AnalysisCrashed("analysis sent a damaged answer", job.name)
                self._done.append(Outcome(job, error=crash))
            return
        worker.job = None
        self.peak_worker_rss = max(self.peak_worker_rss, rss)
        if job is not None:
            outcome = Outcome(job, seconds=seconds, worker_rss=rss)
            if answer[0] == "ok":
                outcome.value = answer[1]
            elif answer[0] == "oom":
                outcome.error = self._out_of_memory(job)
            else:
                outcome.error = _rebuild_error(answer[1], answer[2], answer[3] or job.name)
            self._done.append(outcome)
        if recycle:
            self._reap(worker, wait_seconds=5.0)

    def _lost(self, worker: _Worker) -> None:
        """The worker closed its pipe without an answer: it died. Say how."""
        job = worker.job
        status, grown = self._reap(worker, wait_seconds=5.0)
        if job is None:
            return
        error: AnalyserError
        if status is not None and os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            name = _signal_name(signum)
            if signum == signal.SIGKILL and grown >= _NEAR_CAP / 2 * self.limits.max_memory_bytes:
                # Not ours (we reap our own kills): most likely the kernel's OOM killer.
                error = AnalysisOutOfMemory(
                    f"analysis was killed ({name}) after using {human_bytes(grown)} — "
                    "out of memory?",
                    job.name,
                )
            elif signum == signal.SIGKILL:
                error = AnalysisCrashed(f"analysis was killed ({name})", job.name)
            elif grown >= _NEAR_CAP * self.limits.max_memory_bytes:
                error = self._out_of_memory(job)
            else:
                error = AnalysisCrashed(f"analysis crashed (signal {name})", job.name)
        else:
            code = os.WEXITSTATUS(status) if status is not None else "unknown"
            error = AnalysisCrashed(f"analysis ended without an answer (status {code})", job.name)
        self._done.append(Outcome(job, error=error, seconds=time.monotonic() - worker.started))

    def _out_of_memory(self, job: Job) -> AnalyserError:
        cap = human_bytes(self.limits.max_memory_bytes)
        return AnalysisOutOfMemory(f"analysis ran out of memory: needed more than {cap}", job.name)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            job = worker.job
            if job is None or now < worker.deadline:
                continue
            if worker.conn.poll(0):  # answered just in time
                self._receive(worker)
                continue
            _kill(worker.pid)
            self._reap(worker)
            seconds = job.seconds or self.limits.max_seconds
            error = AnalysisTimeout(f"analysis timed out after {seconds:g} s", job.name)
            self._done.append(Outcome(job, error=error, seconds=now - worker.started))

    def _reap(self, worker: _Worker, wait_seconds: float = 0.0) -> tuple[int | None, int]:
        """Forget a worker and collect its exit status; kill it if it lingers."""
        if worker in self._workers:
            self._workers.remove(worker)
        with contextlib.suppress(OSError):
            worker.conn.close()
        status: int | None = None
        grown = 0
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                pid, status, usage = os.wait4(worker.pid, os.WNOHANG)
            except ChildProcessError:
                return None, 0
            if pid:
                grown = max(0, usage.ru_maxrss * 1024 - worker.forked_rss)
                return status, grown
            if time.monotonic() >= deadline:
                _kill(worker.pid)
                return None, 0
            time.sleep(0.005)


def _kill(pid: int) -> None:
    """SIGKILL and reap (no zombie is left behind)."""
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)


def _rebuild_error(class_name: str, reason: str, path: str | None) -> AnalyserError:
    """Errors cross the pipe as data: the library's exceptions do not pickle with their fields."""
    cls = getattr(errors, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, AnalyserError)) or cls is EngineBusy:
        cls = CorruptDocument
    return cls(reason, path)


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return _resident_bytes()


# --- worker --------------------------------------------------------------------------------


def _worker_main(
    conn: Connection, analyser: Analyser, task: Task, limits: Limits, rss_growth: int
) -> None:  # pragma: no cover - runs in the forked worker
    """Analyse what the supervisor sends until it says stop, grows too big or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Native libraries print warnings, and faulthandler dumps tracebacks on SIGABRT: the user
    # must see one line per document, from the supervisor.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    born = _resident_bytes()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the supervisor is gone
        if job is None:
            return
        _cap_address_space(limits.max_memory_bytes)
        started = time.perf_counter()
        answer: tuple[Any, ...]
        try:
            answer = ("ok", task(analyser, job))
        except AnalyserError as e:
            answer = ("error", type(e).__name__, e.reason, e.path)
        except MemoryError:
            answer = ("oom",)
        except RecursionError:
            answer = ("error", "CorruptDocument", "document is nested too deeply", job.name)
        except Exception as e:  # noqa: BLE001 - the supervisor needs an answer, not a traceback
            reason = f"internal error: {type(e).__name__}: {e}"
            answer = ("error", "AnalysisCrashed", " ".join(reason.split())[:500], job.name)
        rss = _resident_bytes()
        recycle = answer[0] == "oom" or rss - born > rss_growth
        seconds = time.perf_counter() - started
        try:
            conn.send((answer, rss, recycle, seconds))
        except MemoryError:
            conn.send((("oom",), rss, True, seconds))
            return
        except (OSError, ValueError):
            return
        if recycle:
            return


def _cap_address_space(extra: int) -> None:  # pragma: no cover - in the worker
    """Let this document add at most ``extra`` bytes of address space to the worker."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space_bytes() + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


# --- building jobs -------------------------------------------------------------------------

STDIN_NAME = "-"


def job_for_path(key: Any, path: str | os.PathLike[str], limits: Limits) -> Job:
    """A job for a file on disk, after the checks that need no byte of it (exists, regular
    file, size): a device, FIFO or missing file is refused at once, without a worker."""
    from pathlib import Path

    from analyser.extract import check_file

    size = check_file(Path(path), limits)
    return Job(key, str(path), path=str(path), size=size)


def job_for_stream(key: Any, stream: Any, limits: Limits, name: str = "stdin") -> Job:
    """A job for bytes read from ``stream`` (standard input), at most ``max_file_bytes``."""
    from analyser.errors import DocumentTooLarge

    data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        limit = human_bytes(limits.max_file_bytes)
        raise DocumentTooLarge(f"standard input is larger than the limit of {limit}", name)
    return Job(key, name, data=data, size=len(data))
