"""Writing result files: atomically, through symlinks, and with one clear error when it fails.

An interrupted run must never leave a half-written report, and an output that cannot be
written (read-only folder, full disk, a name too long for the file system) must be found out
before an analysis is wasted on it and reported in one line, never as a traceback.

Symlinks: ``-o report.html`` where ``report.html`` is a symlink writes through it to the file
it points to (the user chose that path); the link itself is kept. A dangling link is written
through as well, creating its target.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from analyser.errors import OutputError

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENAMETOOLONG: "file name too long",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder",
}


def _reason(error: OSError) -> str:
    return _REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()


def resolve_target(path: Path) -> Path:
    """The file a write to ``path`` must replace: the link's target when ``path`` is a link."""
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def check_writable(path: Path) -> Path:
    """Raise :class:`OutputError` unless a file can be written at ``path``; return its target.

    Checked before any analysis runs, so a mistyped or read-only output wastes nothing.
    The folder is created if missing (as writing would), and a probe file is created and
    removed in it, which also catches read-only mounts and names too long for the file system.
    """
    try:
        target = resolve_target(path)
        if len(os.fsencode(target.name)) > 255:  # NAME_MAX of every common file system
            raise OutputError("file name too long (255 bytes at most)", str(path))
        if target.is_dir():
            raise OutputError("is a folder, not a file", str(path))
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot write here: {_reason(e)}", str(path)) from e
    try:
        fd, probe = tempfile.mkstemp(prefix=".analyser-probe.", dir=target.parent)
    except OSError as e:
        raise OutputError(f"cannot write here: {_reason(e)}", str(path)) from e
    os.close(fd)
    os.unlink(probe)
    return target


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same folder and rename it into place.

    A rename within one file system is atomic, so a reader (or a resumed batch) sees either
    the old file or the complete new one, never a truncated report. Raises
    :class:`OutputError` (one line, the path and the reason) when the write fails.
    """
    tmp: str | None = None
    try:
        target = resolve_target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", dir=target.parent)
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(content)
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        raise OutputError(f"cannot write the file: {_reason(e)}", str(path)) from e
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
