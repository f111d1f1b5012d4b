"""Benchmark of `analyser batch`. Prints figures; asserts nothing.

Generates a folder of N documents (default 200): copies of the samples with varied text --
TXT with an extra numbered annex, DOCX re-saved by python-docx with an extra paragraph, PDF
rebuilt by reportlab from a sample's text with the same variation -- plus 10 broken files
(truncated PDF, ZIP that is not a DOCX, empty file, binary noise). Then, each in a fresh
interpreter so start-up is counted as a user would see it:

- throughput (documents/s) at --jobs 1 and --jobs 2 and the ratio between them (the issue
  asks for >= 1.6x on two cores);
- peak memory per worker (ru_maxrss of the worker processes, which report it with every
  document) and of the parent;
- the same batch at --jobs 2 with each multiprocessing start method (fork, forkserver,
  spawn), the figures behind the choice documented in analyser/batch.py.

Run: python bench/bench_batch.py [--docs 200] [--broken 10] [--methods]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"

_RUN = """
import json, resource, sys, time
from pathlib import Path
from analyser.batch import BatchOptions, discover, run_batch
folder, out, jobs, method = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
started = time.perf_counter()
result = run_batch(discover([folder]), BatchOptions(out, jobs=jobs, start_method=method,
                   force=True))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "analysed": result.analysed,
    "failed": len(result.failed),
    "worker_peak_rss_kb": result.worker_peak_rss_kb,
    "parent_peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def _vary(text: str, i: int, rng: random.Random) -> str:
    """Same agreement, different text: a numbered annex and shuffled boilerplate sentences."""
    filler = [
        f"Annex {i}: contact persons for the period {2024 + i % 5}-{2026 + i % 5}.",
        f"This is version {i + 1} of the draft, circulated for internal review.",
        "The Parties shall meet once a year to review the cooperation.",
        "Communications under this Agreement shall be made in writing.",
    ]
    rng.shuffle(filler)
    return f"{text}\n\n" + "\n\n".join(filler[: 2 + i % 3]) + "\n"


def _pdf(text: str, path: Path) -> None:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    story = [Paragraph(escape(" ".join(p.split())), style)
             for p in text.split("\n\n") if p.strip()]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def _docx(source: Path, extra: str, path: Path) -> None:
    from docx import Document

    doc = Document(str(source))
    for paragraph in extra.split("\n\n"):
        if paragraph.strip():
            doc.add_paragraph(paragraph.strip())
    doc.save(str(path))


def generate(folder: Path, docs: int, broken: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    texts = sorted(SAMPLES.glob("*.txt"))
    docx_samples = sorted(SAMPLES.glob("*.docx"))
    good = docs - broken
    for i in range(good):
        sub = folder / f"faculty-{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        kind = i % 5  # 3 TXT : 1 PDF : 1 DOCX, roughly what an archive holds
        if kind == 3:
            source = texts[i % len(texts)]
            _pdf(_vary(source.read_text(encoding="utf-8"), i, rng), sub / f"doc-{i:03d}.pdf")
        elif kind == 4:
            _docx(docx_samples[i % len(docx_samples)], _vary("", i, rng), sub / f"doc-{i:03d}.docx")
        else:
            source = texts[i % len(texts)]
            (sub / f"doc-{i:03d}.txt").write_text(
                _vary(source.read_text(encoding="utf-8"), i, rng), encoding="utf-8"
            )
    pdf = (SAMPLES / "mou-fjordvik-kilimani.pdf").read_bytes()
    for j in range(broken):
        path = folder / "broken" / f"broken-{j:02d}"
        path.parent.mkdir(exist_ok=True)
        kind = j % 4
        if kind == 0:
            path.with_suffix(".pdf").write_bytes(pdf[: len(pdf) // (2 + j)])
        elif kind == 1:
            with zipfile.ZipFile(path.with_suffix(".docx"), "w") as archive:
                archive.writestr("readme.txt", "not a Word document")
        elif kind == 2:
            path.with_suffix(".txt").write_bytes(b"")
        else:
            path.with_suffix(".pdf").write_bytes(rng.randbytes(20_000))


def run(folder: Path, out: Path, jobs: int, method: str = "forkserver") -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(folder), str(out), str(jobs), method],
        capture_output=True, text=True, env=env, cwd=REPO, check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(label: str, docs: int, r: dict) -> str:
    return (
        f"{label:<26} {r['seconds']:7.2f} s {docs / r['seconds']:8.1f} docs/s   "
        f"analysed {r['analysed']}, failed {r['failed']}   "
        f"worker peak {r['worker_peak_rss_kb'] / 1024:6.0f} MiB   "
        f"parent peak {r['parent_peak_rss_kb'] / 1024:6.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--broken", type=int, default=10)
    parser.add_argument("--methods", action="store_true",
                        help="Also compare the fork / forkserver / spawn start methods.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        folder = work / "in"
        generate(folder, args.docs, args.broken)
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{args.docs} documents ({args.broken} broken), {os.cpu_count()} cores, "
              f"load average {load} (other jobs compete for the cores)\n")
        one = run(folder, work / "out1", 1)
        two = run(folder, work / "out2", 2)
        print(_line("--jobs 1", args.docs, one))
        print(_line("--jobs 2", args.docs, two))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        print(f"\nspeed-up --jobs 2 / --jobs 1: {one['seconds'] / two['seconds']:.2f}x "
              "(target >= 1.6x on two otherwise idle cores)")
        if args.methods:
            print()
            for method in ("fork", "forkserver", "spawn"):
                r = run(folder, work / f"out-{method}", 2, method)
                print(_line(f"--jobs 2, {method}", args.docs, r))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
