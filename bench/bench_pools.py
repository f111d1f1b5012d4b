"""Engine against pebble: the same documents through each pool. Prints figures; asserts nothing.

The question behind analyser/engine.py: write the worker pool on os.fork, or use ``pebble``
(process pools with per-task timeouts, https://pypi.org/project/Pebble/)? Measured here, in
one run, on the same documents (the TXT samples, repeated):

- ``engine``: analyser.engine.Engine, workers forked from a warm parent;
- ``pebble-fork``: pebble.ProcessPool with the ``fork`` context from the same warm parent (the
  pool forks from its management thread);
- ``pebble-forkserver``: pebble.ProcessPool with ``forkserver`` and an initializer that builds
  the Analyser in each worker (what a thread-safe start costs with pebble);

each for (a) a clean batch -- documents/s -- and (b) the same batch with one document that
hangs, under a 2 s deadline -- the time until everything is answered, which includes
replacing the killed worker. Memory: pebble has no per-task memory cap or RSS bound (only
``max_tasks``); the engine's come from RLIMIT_AS and an RSS check after each document.

pebble is not a dependency: ``pip install pebble`` to run the pebble rows (skipped otherwise).

Run: python bench/bench_pools.py [--docs 60] [--jobs 2]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HANG = "hang.txt"
DEADLINE = 2.0

_ANALYSER: Any = None


def _documents(count: int) -> list[tuple[str, bytes]]:
    samples = sorted((REPO / "samples").glob("*.txt"))
    return [
        (f"{i}-{samples[i % len(samples)].name}", samples[i % len(samples)].read_bytes())
        for i in range(count)
    ]


def _analyse(analyser: Any, name: str, data: bytes) -> str:
    from analyser.extract import extract_bytes

    if name == HANG:
        time.sleep(3600)
    return analyser.analyse_document(extract_bytes(data, name)).summary


def _engine_task(analyser: Any, job: Any) -> str:
    return _analyse(analyser, job.name, job.data)


def _pebble_task(name: str, data: bytes) -> str:
    return _analyse(_ANALYSER, name, data)


def _pebble_init() -> None:
    global _ANALYSER
    from analyser.pipeline import Analyser

    _ANALYSER = Analyser.for_profile(None).warm()


def run_engine(docs: list[tuple[str, bytes]], jobs: int) -> tuple[float, int]:
    from analyser.engine import Engine, Job
    from analyser.limits import Limits
    from analyser.pipeline import Analyser

    started = time.perf_counter()
    analyser = Analyser.for_profile(None)
    engine = Engine(analyser, _engine_task, jobs=jobs, limits=Limits(max_seconds=DEADLINE))
    work = [Job(i, name, data=data, size=len(data)) for i, (name, data) in enumerate(docs)]
    answered = sum(1 for _ in engine.run(work))
    return time.perf_counter() - started, answered


def run_pebble(docs: list[tuple[str, bytes]], jobs: int, method: str) -> tuple[float, int]:
    import pebble

    global _ANALYSER
    started = time.perf_counter()
    initializer = None
    if method == "fork":
        _pebble_init()  # the parent is warm; forked workers inherit it
    else:
        initializer = _pebble_init
    context = multiprocessing.get_context(method)
    answered = 0
    with pebble.ProcessPool(max_workers=jobs, initializer=initializer, context=context) as pool:
        futures = [pool.schedule(_pebble_task, (n, d), timeout=DEADLINE) for n, d in docs]
        for future in futures:
            with contextlib.suppress(Exception):  # a timeout counts as answered
                future.result()
            answered += 1
    return time.perf_counter() - started, answered


def _child(kind: str, docs: list[tuple[str, bytes]], jobs: int, queue: Any) -> None:
    if kind == "engine":
        queue.put(run_engine(docs, jobs))
    else:
        queue.put(run_pebble(docs, jobs, kind.removeprefix("pebble-")))


def measure(kind: str, docs: list[tuple[str, bytes]], jobs: int) -> tuple[float, int]:
    """Each run in a fresh spawned interpreter, so that imports and loading are counted."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(kind, docs, jobs, queue))
    process.start()
    result = queue.get(timeout=900)
    process.join(60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    docs = _documents(args.docs)
    hanging = [*docs[: len(docs) // 2], (HANG, b"x"), *docs[len(docs) // 2 :]]
    kinds = ["engine"]
    try:
        import pebble  # noqa: F401

        kinds += ["pebble-fork", "pebble-forkserver"]
    except ImportError:
        print("pebble is not installed: pip install pebble for its rows")
    print(
        f"{len(docs)} TXT documents, --jobs {args.jobs}, {os.cpu_count()} cores; "
        f"each run cold, in a fresh interpreter"
    )
    print(f"{'pool':<20} {'clean s':>8} {'docs/s':>7} {'with a hang s':>14} {'answered':>9}")
    for kind in kinds:
        clean, n = measure(kind, docs, args.jobs)
        hang, m = measure(kind, hanging, args.jobs)
        print(f"{kind:<20} {clean:8.2f} {n / clean:7.1f} {hang:14.2f} {m:9d}")


if __name__ == "__main__":
    main()
