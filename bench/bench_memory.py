"""Peak memory and time of ``analyser check`` on a generated 500-page PDF (must stay < 1 GB).

Also prints the cost of parsing in an isolated child process, per document, against parsing
in-process, measured in the same run in a process that has spaCy and the model loaded (the
fork copies that process's page tables, so this is the realistic case).

    python bench/bench_memory.py [--pages 500]

Memory is the peak of the summed RSS of ``analyser check`` and all its children, sampled every
10 ms from /proc, and the kernel's own peak RSS of the largest process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import wait_sampling_peak  # bench/measure.py, beside this script
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

REPO = Path(__file__).resolve().parents[1]
LIMIT_BYTES = 1024**3
_PARAGRAPH = (
    "The Parties shall cooperate in good faith on the research programme described in Annex 1 "
    "and shall keep each other informed of all relevant developments, including changes of key "
    "personnel, funding and the legal framework applicable to the cooperation. "
)


def build_pdf(path: Path, pages: int) -> None:
    """``pages`` pages of ~45 lines of agreement-like text each (about 3,000 characters)."""
    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    words = (_PARAGRAPH * 3).split()
    for page in range(pages):
        c.setFont("Helvetica", 10)
        c.drawString(60, 800, f"Article {page + 1}. Cooperation")
        y, line = 780.0, ""
        for word in words * 2:
            if len(line) + len(word) > 95:
                c.drawString(60, y, line)
                y, line = y - 13, ""
                if y < 60:
                    break
            line = f"{line} {word}".strip()
        c.drawCentredString(A4[0] / 2, 30, f"Page {page + 1} of {pages}")
        c.showPage()
    c.save()


def measure_check(pdf: Path) -> tuple[int, int, float, int]:
    command = shutil.which("analyser")
    argv = [command] if command else [sys.executable, "-m", "analyser"]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*argv, "check", "-f", "json", str(pdf)], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    peak = wait_sampling_peak(process)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        print(f"analyser check exited {process.returncode}: {stderr.strip()}")
    max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return peak, max_rss, elapsed, process.returncode


def measure_isolation_overhead(repeat: int = 20) -> None:
    from analyser.extract import extract
    from analyser.isolation import extract_isolated
    from analyser.pipeline import Analyser

    analyser = Analyser.for_profile(None)
    analyser.analyse_path(REPO / "samples" / "collab-lakeshore-bremnes.txt")  # load spaCy, model
    for name in ("collab-lakeshore-bremnes.txt", "exchange-nordhavn-hanbit.pdf"):
        path = REPO / "samples" / name
        extract(path), extract_isolated(path)  # warm both
        t0 = time.perf_counter()
        for _ in range(repeat):
            extract(path)
        t1 = time.perf_counter()
        for _ in range(repeat):
            extract_isolated(path)
        t2 = time.perf_counter()
        inproc, isolated = (t1 - t0) / repeat * 1000, (t2 - t1) / repeat * 1000
        print(
            f"isolation overhead ({name}): in-process {inproc:.1f} ms, isolated {isolated:.1f} ms"
            f" per document (+{isolated - inproc:.1f} ms, x{isolated / inproc:.1f})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / f"agreement-{args.pages}-pages.pdf"
        t0 = time.perf_counter()
        build_pdf(pdf, args.pages)
        print(f"built {pdf.name}: {pdf.stat().st_size / 2**20:.1f} MB in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        peak, max_rss, elapsed, code = measure_check(pdf)
    print(
        f"analyser check, {args.pages}-page PDF: peak memory {peak / 2**20:.0f} MB "
        f"(process tree, sampled; largest process ru_maxrss {max_rss / 2**20:.0f} MB), "
        f"time {elapsed:.1f} s, exit {code}"
    )
    verdict = "OK" if peak < LIMIT_BYTES else "OVER"
    print(f"limit 1024 MB: {verdict}")
    measure_isolation_overhead()
    return 0 if peak < LIMIT_BYTES and code in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
