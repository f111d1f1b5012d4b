"""Parse untrusted documents in a child process that may be killed, so the caller survives.

pdfium, lxml and python-docx are native or near-native code fed with hostile bytes: a crafted
PDF can drive PDFium to gigabytes and then ``abort()`` (no Python exception), a page layout can
run for minutes. None of that may take down the CLI, a batch worker or a web worker. So every
document is parsed in a child process with

* an address-space cap (``RLIMIT_AS``) of the child's size at fork time plus
  ``Limits.max_memory_bytes`` -- relative, because the child inherits the parent's address
  space (spaCy and numpy alone reserve far more than a parser should need);
* a wall-clock deadline, after which the parent kills it (SIGKILL);
* the result sent back as a pickle over a pipe, errors as plain data (class name + reason),
  because the library's exceptions do not survive pickling with ``reason``/``path`` intact.

Why a plain ``os.fork()`` and not :mod:`multiprocessing`: the callers include batch workers,
which are *daemonic* multiprocessing processes, and those may not start multiprocessing
children; a raw fork has no such rule. Why not ``subprocess`` + a fresh interpreter: the child
would import pypdfium2/python-docx again for every document (~0.3 s); a fork of a parent that
imported them once (see :func:`_preload`) starts in a few milliseconds, which is the same
benefit a forkserver would bring (``bench/bench_memory.py`` prints the overhead). The fork
happens while holding the pdfium lock, so no other thread of the parent is inside pdfium at
that moment, and the child closes the pipes of any other isolated extraction in flight.

POSIX only: where ``os.fork`` does not exist, extraction runs in-process with the other limits.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import resource
import select
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analyser import errors
from analyser.document import Document
from analyser.errors import (
    AnalyserError,
    CorruptDocument,
    DocumentTooLarge,
    ParserCrashed,
    ParserOutOfMemory,
    ParserTimeout,
)
from analyser.limits import Limits, describe

__all__ = ["extract_isolated", "extract_isolated_bytes"]

_READ_CHUNK = 1 << 20
# Child exit status when it could not even report (e.g. the pipe broke).
_STATUS_NO_REPORT = 70
# A child that died of SIGABRT after using this share of its memory budget most likely hit the
# cap inside native code (PDFium aborts on a failed allocation rather than returning an error).
_NEAR_CAP = 0.5

_fds_lock = threading.Lock()
_open_fds: set[int] = set()  # pipe ends of extractions in flight, closed in every new child


def extract_isolated(path: str | os.PathLike[str], limits: Limits | None = None) -> Document:
    """:func:`analyser.extract.extract` in a killable child process.

    ``limits=None`` means :meth:`Limits.from_env`. The checks that need no parser (exists, is
    a file, size) run in the caller, so a missing or oversized file costs no fork.
    """
    from analyser.extract import check_file, extract

    limits = limits if limits is not None else Limits.from_env()
    check_file(Path(path), limits)
    return _run(lambda: extract(path, limits=limits), str(path), limits)


def extract_isolated_bytes(
    data: bytes, name: str, limits: Limits | None = None, *, path: str | None = None
) -> Document:
    """:func:`analyser.extract.extract_bytes` in a killable child (for uploads)."""
    from analyser.extract import extract_bytes

    limits = limits if limits is not None else Limits.from_env()
    where = path if path is not None else name
    if len(data) > limits.max_file_bytes:
        limit = describe(limits.max_file_bytes, "bytes")
        raise DocumentTooLarge(f"file is {len(data) / 2**20:.1f} MB; the limit is {limit}B", where)
    return _run(lambda: extract_bytes(data, name, path=path, limits=limits), where, limits)


def _run(job: Callable[[], Document], where: str, limits: Limits) -> Document:
    if not hasattr(os, "fork"):
        return job()
    lock = _preload()
    # Pipes are made and forks happen under one lock, so every child knows every pipe end open
    # at its birth and closes those that are not its own (else a sibling's child holding our
    # write end would keep our read from ever seeing end-of-file).
    with _fds_lock:
        read_fd, write_fd = os.pipe()
        _open_fds.update((read_fd, write_fd))
    write_open = True
    inherited = _resident_bytes()  # the child starts with this much already counted as its RSS
    try:
        with lock, _fds_lock:
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            _child(job, write_fd, where, limits)
        _close(write_fd)
        write_open = False
        return _parent(pid, read_fd, where, limits, inherited)
    finally:
        if write_open:
            _close(write_fd)
        _close(read_fd)


def _close(fd: int) -> None:
    """Close one of our pipe ends exactly once (fd numbers are reused at once by other threads)."""
    with _fds_lock:
        _open_fds.discard(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


def _preload() -> threading.Lock:
    """Import the parsers in the parent once, so that each forked child starts warm.

    Returns the pdfium lock, which is held across the fork.
    """
    import analyser.extract.docx  # noqa: F401 - imported for the children's sake
    import analyser.extract.pdf as pdf

    return pdf._PDFIUM_LOCK


# --- parent ------------------------------------------------------------------------------


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _parent(pid: int, read_fd: int, where: str, limits: Limits, inherited: int) -> Document:
    deadline = time.monotonic() + limits.max_seconds
    chunks: list[bytes] = []
    try:
        poller = select.poll()
        poller.register(read_fd, select.POLLIN | select.POLLHUP)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(pid)
                raise ParserTimeout(f"parser timed out after {limits.max_seconds:g} s", where)
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(read_fd, _READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _kill(pid)  # Ctrl-C or a timeout: never leave a parser running behind us
        raise
    _, status, usage = os.wait4(pid, 0)
    payload = b"".join(chunks)
    if os.WIFSIGNALED(status):
        grown = max(0, usage.ru_maxrss * 1024 - inherited)
        raise _signal_error(os.WTERMSIG(status), grown, where, limits)
    if not payload:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
        raise ParserCrashed(f"parser exited with status {code} without an answer", where)
    return _decode(payload, where)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _signal_error(signum: int, grown: int, where: str, limits: Limits) -> AnalyserError:
    """Name the failure; ``grown`` is the child's peak RSS beyond what it inherited."""
    name = _signal_name(signum)
    used = f"{grown / 2**20:.0f} MB"
    cap = f"{limits.max_memory_bytes / 2**20:.0f} MB"
    if signum == signal.SIGKILL:  # not ours (we reap our own kills): the kernel's OOM killer
        return ParserOutOfMemory(
            f"parser was killed ({name}) after using {used} — out of memory?", where
        )
    if signum == signal.SIGABRT and grown >= _NEAR_CAP * limits.max_memory_bytes:
        return ParserOutOfMemory(
            f"parser ran out of memory (crashed with {name} at {used}; limit {cap})", where
        )
    return ParserCrashed(f"parser crashed (signal {name})", where)


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)


def _decode(payload: bytes, where: str) -> Document:
    try:
        outcome = pickle.loads(payload)  # noqa: S301 - our own child wrote it, over our pipe
    except Exception as e:  # noqa: BLE001 - a truncated pickle means the child died mid-write
        raise ParserCrashed("parser sent a damaged answer", where) from e
    kind = outcome[0]
    if kind == "ok" and isinstance(outcome[1], Document):
        return outcome[1]
    if kind == "oom":
        raise ParserOutOfMemory(f"parser ran out of memory (limit {outcome[1]})", where)
    if kind == "error":
        _, class_name, reason, path = outcome
        cls = getattr(errors, class_name, None)
        if not (isinstance(cls, type) and issubclass(cls, AnalyserError)):
            cls = CorruptDocument
        raise cls(reason, path)
    raise ParserCrashed("parser sent an unexpected answer", where)


# --- child -------------------------------------------------------------------------------


def _child(
    job: Callable[[], Document], write_fd: int, where: str, limits: Limits
) -> None:  # pragma: no cover - measured through the parent
    """Run ``job`` and send its outcome; never returns and never runs the parent's cleanup."""
    status = _STATUS_NO_REPORT
    try:
        _prepare_child(write_fd, limits)
        outcome: tuple[Any, ...]
        try:
            outcome = ("ok", job())
        except AnalyserError as e:
            outcome = ("error", type(e).__name__, e.reason, e.path)
        except MemoryError:
            outcome = ("oom", describe(limits.max_memory_bytes, "bytes") + "B")
        except BaseException as e:  # noqa: BLE001 - the parent must get an answer, not a traceback
            outcome = ("error", "CorruptDocument", f"parser failed: {type(e).__name__}", where)
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("oom", describe(limits.max_memory_bytes, "bytes") + "B"))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view) :]
        status = 0
    finally:
        os._exit(status)


def _prepare_child(write_fd: int, limits: Limits) -> None:  # pragma: no cover - in the child
    """Default signals, no inherited pipes of other extractions, quiet stdio, memory cap."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: die quietly; the parent reports
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in list(_open_fds):
        if fd != write_fd:
            with contextlib.suppress(OSError):
                os.close(fd)
    # Native libraries may print warnings and faulthandler (on under pytest or with
    # PYTHONFAULTHANDLER) dumps a traceback on SIGABRT to its own copy of stderr; the user must
    # see one line per file, from the parent.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    _cap_memory(limits.max_memory_bytes)


def _cap_memory(extra: int) -> None:  # pragma: no cover - in the child
    """Cap the address space at its size now plus ``extra`` (see the module docstring)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            current = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        current = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
