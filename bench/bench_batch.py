"""Benchmark of `analyser batch`. Prints figures; asserts nothing.

Default (issue 18's "done when"): a folder of N ten-page PDFs (default 200) rendered with
reportlab from the real text of the development half of ../shared/corpus (documents listed in
dev-labels.jsonl only), analysed by `analyser batch` at --jobs 1 and --jobs 2, each in a fresh
interpreter so start-up is counted as a user would see it, beside a bare pypdfium2 loop that
extracts the text of the same files in the same run. Prints documents/s, the ratio to the bare
loop, and the peak RSS of the workers and of the parent.

``--mixed``: instead, copies of the samples with varied text (TXT with a numbered annex, DOCX
re-saved by python-docx, PDF rebuilt by reportlab) plus 10 broken files (truncated PDF, ZIP
that is not a DOCX, empty file, binary noise) -- the failure paths under load.

Run: python bench/bench_batch.py [--docs 200] [--mixed [--broken 10]]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CORPUS = REPO.parent / "shared" / "corpus"
PAGE_CHARS = 3000  # about one A4 page of BodyText

# What `analyser batch` does, plus the figures the command does not print (worker RSS).
# "seconds" is the whole command, from the interpreter's start (analyser.engine.command_epoch).
_RUN = """
import json, resource, sys, time
from analyser.engine import command_epoch
epoch = command_epoch()
from analyser.spacy_import import import_spacy_without_cli
import_spacy_without_cli()
from pathlib import Path
from analyser.batch import BatchOptions, discover, run_batch
folder, out, jobs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
result = run_batch(discover([folder]), BatchOptions(out, jobs=jobs, force=True, epoch=epoch))
print(json.dumps({
    "seconds": time.monotonic() - epoch,
    "in_run": result.elapsed,
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
    story = [Paragraph(escape(" ".join(p.split())), style) for p in text.split("\n\n") if p.strip()]
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


def generate_real(folder: Path, docs: int) -> None:
    """Ten-page PDFs from the development corpus's real text (never the held-out texts)."""
    ids = [json.loads(line)["id"] for line in (CORPUS / "dev-labels.jsonl").open(encoding="utf-8")]
    texts = [
        (CORPUS / "texts" / f"{i}.txt").read_text(encoding="utf-8")
        for i in ids
        if (CORPUS / "texts" / f"{i}.txt").is_file()
    ]
    folder.mkdir(parents=True, exist_ok=True)
    want = 10 * PAGE_CHARS
    for n in range(docs):
        text = texts[n % len(texts)]
        while len(text) < want:
            text += "\n\n" + texts[(n + len(text)) % len(texts)]
        start = (n * 7919) % max(1, len(text) - want)
        window = text[start : start + want]
        _pdf(f"Agreement {n}\n\n{window}", folder / f"agreement-{n:03d}.pdf")


def pdfium_loop(folder: Path) -> float:
    """Seconds for a bare pypdfium2 loop: open each PDF, extract every page's text."""
    import time

    import pypdfium2

    started = time.perf_counter()
    for path in sorted(folder.rglob("*.pdf")):
        pdf = pypdfium2.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    return time.perf_counter() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(folder: Path, out: Path, jobs: int) -> dict:
    """One batch command in a fresh interpreter; also its CPU seconds (command + workers), which
    a loaded machine inflates far less than the wall-clock time."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # As an installed copy runs: bytecode compiled once, kept outside the checkout (see
    # bench_corpus.cold_env; the --jobs 1 run compiles it for the --jobs 2 run).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(out.parent / "pycache")
    cpu_before = _children_cpu()
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(folder), str(out), str(jobs)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["cpu"] = _children_cpu() - cpu_before
    return result


def _line(label: str, docs: int, r: dict) -> str:
    return (
        f"{label:<26} {r['seconds']:7.2f} s {docs / r['seconds']:8.1f} docs/s   "
        f"(interpreter + imports {r['seconds'] - r['in_run']:.2f} s; "
        f"CPU {r['cpu']:.1f} s = {r['cpu'] / docs * 1e3:.0f} ms a document)   "
        f"analysed {r['analysed']}, failed {r['failed']}   "
        f"worker peak {r['worker_peak_rss_kb'] / 1024:6.0f} MiB   "
        f"parent peak {r['parent_peak_rss_kb'] / 1024:6.0f} MiB"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--mixed", action="store_true", help="Samples and broken files.")
    parser.add_argument("--broken", type=int, default=10, help="With --mixed.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        folder = work / "in"
        if args.mixed:
            generate(folder, args.docs, args.broken)
            what = f"{args.docs} documents from the samples ({args.broken} broken)"
        else:
            generate_real(folder, args.docs)
            what = f"{args.docs} ten-page PDFs of real development-corpus text"
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{what}, {os.cpu_count()} cores, load average {load} "
            "(other jobs compete for the cores)\n"
        )
        bare = pdfium_loop(folder)
        one = run(folder, work / "out1", 1)
        two = run(folder, work / "out2", 2)
        print(f"{'bare pypdfium2 loop':<26} {bare:7.2f} s {args.docs / bare:8.1f} docs/s")
        print(_line("--jobs 1", args.docs, one))
        print(_line("--jobs 2", args.docs, two))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        rate, ratio = args.docs / two["seconds"], two["seconds"] / bare
        print(
            f"\nIssue 18, batch with --jobs 2: {rate:.1f} documents/s (target >= 15: "
            f"{_verdict(rate >= 15)}), {ratio:.1f}x the bare pypdfium2 loop (target <= 10x: "
            f"{_verdict(ratio <= 10)}); speed-up over --jobs 1: "
            f"{one['seconds'] / two['seconds']:.2f}x. Measured at load average {load} "
            "(before the run): absolute figures need an idle machine."
        )
        print(
            f"--jobs 2 with both cores free for it would take about {two['cpu'] / 2:.1f} s "
            f"({args.docs / (two['cpu'] / 2):.1f} documents/s), from its CPU time; "
            f"wall-clock here {two['seconds']:.1f} s."
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
