"""Measuring helpers shared by the bench scripts (run as ``python bench/bench_*.py``, so this
folder is on ``sys.path``): best-of timing and the resident memory of a process tree."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` calls, in seconds: the least disturbed by other jobs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def tree_rss(root: int) -> int:
    """Summed RSS (bytes) of ``root`` and its descendants, from /proc.

    A forked parser or worker pool counts with its parent: the command's own RSS alone would
    hide most of what it uses.
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = resource.getpagesize()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm", encoding="ascii") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def wait_sampling_peak(process: subprocess.Popen[bytes]) -> int:
    """Wait for ``process``, sampling its tree's RSS every 10 ms; the peak seen, in bytes."""
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.01)
    return peak
