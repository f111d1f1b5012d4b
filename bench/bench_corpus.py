"""Speed on real agreement text: PDFs built from the development corpus. Prints figures only.

The samples are short and tidy; real agreements are long and use many more words (which is
what made the old wildcard matcher slow). This benchmark renders the real text of the
DEVELOPMENT half of ../shared/corpus (the documents listed in dev-labels.jsonl; held-out texts
are never read) into PDFs with reportlab: agreements of 10, 30, 100 and 1,000 pages and a
batch of 200 ten-page PDFs, each starting at a different place in the text. The PDFs are
cached outside git (``$XDG_CACHE_HOME/analyser-bench``, keyed by the texts and this script).

Printed, in one run, beside raw pypdfium2 extraction and the keyword (Ctrl-F) baseline of
analyser/baseline.py measured on the same files:
- per size: ms per page of each stage in a warm process (extract, segment, match, classify,
  detect, red flags, render); warm end to end (`Analyser.analyse_path` + rendering);
  cold `analyser check` in a fresh interpreter with the peak RSS of its process tree; a cold
  raw pypdfium2 script on the same file, and the ratios;
- the batch: `analyser batch --jobs 2` over the 200 PDFs (documents/s, pages/s, peak RSS of
  the process tree) beside a bare pypdfium2 loop over the same files.

Run: python bench/bench_corpus.py [--quick] [--sizes 10,30,100,1000] [--batch 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from measure import best_of, wait_sampling_peak  # bench/measure.py, beside this script

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO))

_GENERATOR = "2"  # bump when build_pdf or the text selection changes: the cache is rebuilt

# The cold reference: a fresh interpreter that imports pypdfium2 and reads every page's text.
_RAW_PDFIUM = """
import sys
import pypdfium2
for name in sys.argv[1:]:
    pdf = pypdfium2.PdfDocument(name)
    for i in range(len(pdf)):
        page = pdf[i]
        page.get_textpage().get_text_range()
    pdf.close()
"""


# --------------------------------------------------------------------------- the PDFs


def _dev_paragraphs() -> list[str]:
    """Paragraphs of the development texts, in dev-labels order, that the standard PDF fonts
    can show (WinAnsi): the Japanese text and stray symbols would only be boxes."""
    ids = [json.loads(line)["id"] for line in (CORPUS / "dev-labels.jsonl").open(encoding="utf-8")]
    paragraphs: list[str] = []
    for doc_id in ids:
        text = (CORPUS / "texts" / f"{doc_id}.txt").read_text(encoding="utf-8")
        for raw in text.split("\n\n"):
            lines = [" ".join(line.split()) for line in raw.splitlines() if line.strip()]
            if not lines:
                continue
            try:
                "\n".join(lines).encode("cp1252")
            except UnicodeEncodeError:
                continue
            paragraphs.append("<br/>".join(escape(line) for line in lines))
    return paragraphs


def _stream(paragraphs: list[str], start: int) -> Iterator[str]:
    i = start
    while True:
        yield paragraphs[i % len(paragraphs)]
        i += 1


def build_pdf(path: Path, pages: int, paragraphs: Iterator[str]) -> None:
    """Exactly ``pages`` A4 pages of the corpus text (~3,500 characters a page), with a
    "Page n of N" footer as real agreements have."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Frame, Paragraph

    style = getSampleStyleSheet()["BodyText"]
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    pending: list = []
    for number in range(1, pages + 1):
        frame = Frame(25 * mm, 20 * mm, A4[0] - 50 * mm, A4[1] - 45 * mm)
        while True:
            if not pending:
                pending.append(Paragraph(next(paragraphs), style))
            before = len(pending)
            frame.addFromList(pending, pdf)
            if pending and len(pending) == before and frame._atTop:
                pending.pop(0)  # cannot fit even on an empty page: leave it out
            elif pending:
                break  # the page is full
        pdf.setFont("Helvetica", 8)
        pdf.drawCentredString(A4[0] / 2, 10 * mm, f"Page {number} of {pages}")
        pdf.showPage()
    pdf.save()


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "analyser-bench"
    digest = hashlib.sha256(_GENERATOR.encode())
    for line in (CORPUS / "dev-labels.jsonl").open(encoding="utf-8"):
        doc_id = json.loads(line)["id"]
        digest.update((CORPUS / "texts" / f"{doc_id}.txt").read_bytes())
    return base / digest.hexdigest()[:16]


def prepare(sizes: list[int], batch: int) -> tuple[dict[int, Path], list[Path]]:
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    paragraphs = _dev_paragraphs()
    agreements = {}
    for pages in sizes:
        path = cache / f"agreement-{pages}p.pdf"
        if not path.exists():
            build_pdf(path.with_suffix(".tmp"), pages, _stream(paragraphs, 0))
            path.with_suffix(".tmp").rename(path)
        agreements[pages] = path
    folder = cache / "batch"
    folder.mkdir(exist_ok=True)
    files = []
    for i in range(batch):
        path = folder / f"agreement-{i:03d}.pdf"
        if not path.exists():
            build_pdf(path.with_suffix(".tmp"), 10, _stream(paragraphs, i * 37))
            path.with_suffix(".tmp").rename(path)
        files.append(path)
    return agreements, files


# --------------------------------------------------------------------------- measuring


def cold_env() -> dict[str, str]:
    """The environment of the cold commands: as an installed copy runs, with its modules'
    bytecode compiled once (pip compiles it at install). A shell with PYTHONDONTWRITEBYTECODE
    set would otherwise compile every analyser module on every cold start (≈ 0.1 s); the
    bytecode goes to a cache folder beside the PDFs, never into the checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(_cache_dir().parent / "pycache")
    return env


def run_cold(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and sampled peak RSS of the process tree of a fresh command."""
    env = cold_env()
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=env
    )
    peak = wait_sampling_peak(process)
    elapsed = time.perf_counter() - started
    if process.returncode not in (0, 1):
        error = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{argv[:4]} exited {process.returncode}: {error.strip()[-500:]}")
    return elapsed, peak


def _analyser_argv() -> list[str]:
    command = shutil.which("analyser")
    return [command] if command else [sys.executable, "-m", "analyser"]


STAGES = ("extract", "segment", "match", "classify", "detect", "red flags", "render")


def warm_stages(analyser, path: Path, repeat: int) -> dict[str, float]:
    """Seconds per stage, best of ``repeat``, in this (warm) process, as the pipeline runs
    them. "detect" is the judging that remains of detect_clauses after matching and the
    classifier; "extract" is in-process (the CLI parses in a child process: see end to end)."""
    from analyser.detect import detect_clauses
    from analyser.extract import extract
    from analyser.features import rule_matrix
    from analyser.profiles import apply_required_elements
    from analyser.redflags import detect_red_flags
    from analyser.render import render
    from analyser.rules import _recent_tokens
    from analyser.segment import segment

    def cold_tokens() -> None:
        _recent_tokens.clear()  # as for a new document: the first matcher tokenises

    document = extract(path)
    segmented = segment(document)
    texts = [s.text for s in segmented.sentences]
    matcher = analyser.matcher(segmented.pattern_lang)
    model = analyser.model()
    hits = matcher.match(texts)
    times = {
        "extract": best_of(lambda: extract(path), repeat),
        "segment": best_of(lambda: segment(document), repeat),
        "match": best_of(lambda: (cold_tokens(), matcher.match(texts)), repeat),
    }
    if model is not None:
        times["classify"] = best_of(
            lambda: model.predict(texts, rule_matrix(hits, len(texts), model.rule_features)),
            repeat,
        )
    else:
        times["classify"] = 0.0

    def judge() -> list:
        cold_tokens()
        clauses = detect_clauses(segmented, analyser.profile, matcher, model)
        return apply_required_elements(clauses, analyser.profile, segmented)

    clauses = judge()
    times["detect"] = max(0.0, best_of(judge, repeat) - times["match"] - times["classify"])
    times["red flags"] = best_of(
        lambda: detect_red_flags(segmented, analyser.profile, clauses), repeat
    )
    report = analyser.analyse_document(document)
    times["render"] = best_of(lambda: render(report, "html"), repeat)
    return times


def raw_pdfium_warm(path: Path) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def keyword_baseline(analyser, text: str) -> None:
    from analyser.baseline import keyword_status
    from analyser.language import detect_language

    lang = "nb" if detect_language(text) in {"nb", "nn"} else "en"
    for spec in analyser.profile.clauses:
        keyword_status(text, spec, lang)


# --------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 and 30 pages, 20 batch PDFs.")
    parser.add_argument("--sizes", default="10,30,100,1000")
    parser.add_argument("--batch", type=int, default=200, help="Ten-page PDFs in the batch.")
    parser.add_argument("--repeat", type=int, default=3, help="Best of N (1 at 1,000 pages).")
    parser.add_argument("--no-batch", action="store_true")
    args = parser.parse_args()
    sizes = [10, 30] if args.quick else [int(s) for s in args.sizes.split(",")]
    batch = 20 if args.quick else (0 if args.no_batch else args.batch)
    repeat = 1 if args.quick else args.repeat

    if not (CORPUS / "dev-labels.jsonl").exists():
        sys.exit(f"development corpus not found at {CORPUS}")
    started = time.perf_counter()
    agreements, batch_files = prepare(sizes, batch)
    print(
        f"PDFs from the development corpus ready in {time.perf_counter() - started:.1f} s "
        f"(cached in {_cache_dir()})"
    )
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load} (others may share the cores)\n"
    )

    from analyser.pipeline import Analyser
    from analyser.render import render

    # One untimed cold command first: compiles the bytecode the timed ones use (cold_env).
    run_cold([*_analyser_argv(), "check", "-f", "json", str(agreements[sizes[0]])], REPO)
    analyser = Analyser.for_profile(None)
    analyser.analyse_path(agreements[sizes[0]])  # warm: spaCy, matchers, model loaded

    print("Warm process, ms per page (best of runs):")
    header = "".join(f"{s:>10}" for s in STAGES)
    print(f"{'pages':>6}{header}{'total':>9}{'raw pdfium':>11}{'Ctrl-F':>8}")
    summary = []
    per_page: dict[int, float] = {}
    batch_figures: tuple[int, float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for pages, path in agreements.items():
            runs = 1 if pages >= 1000 else repeat
            stages = warm_stages(analyser, path, runs)
            raw = best_of(lambda p=path: raw_pdfium_warm(p), runs)
            text = raw_pdfium_warm(path)
            keyword = raw + best_of(lambda t=text: keyword_baseline(analyser, t), runs)
            total = sum(stages.values())
            per_page[pages] = total * 1e3 / pages
            row = "".join(f"{stages[s] * 1e3 / pages:10.2f}" for s in STAGES)
            print(
                f"{pages:>6}{row}{total * 1e3 / pages:9.2f}{raw * 1e3 / pages:11.2f}"
                f"{keyword * 1e3 / pages:8.2f}"
            )
            warm = best_of(lambda p=path: render(analyser.analyse_path(p), "json"), runs)
            # Cold runs: the fastest of `runs` (a shared machine only ever adds time).
            check_argv = [*_analyser_argv(), "check", "-f", "json", str(path)]
            cold, peak = min(run_cold(check_argv, Path(tmp)) for _ in range(runs))
            raw_argv = [sys.executable, "-c", _RAW_PDFIUM, str(path)]
            raw_cold, raw_peak = min(run_cold(raw_argv, Path(tmp)) for _ in range(runs))
            summary.append((pages, warm, cold, peak, raw_cold, raw_peak, keyword))

        print(
            "\nEnd to end (warm: analyse_path with isolated parsing + JSON; cold: `analyser "
            "check -f json` in a fresh interpreter; raw: a fresh interpreter reading the text "
            "with pypdfium2; best of the runs):"
        )
        print(
            f"{'pages':>6}{'warm s':>8}{'cold s':>8}{'raw s':>7}{'cold/raw':>9}{'ms/page':>8}"
            f"{'pages/s':>8}{'peak MB':>8}{'raw MB':>7}"
        )
        for pages, warm, cold, peak, raw_cold, raw_peak, _keyword in summary:
            print(
                f"{pages:>6}{warm:8.2f}{cold:8.2f}{raw_cold:7.2f}{cold / raw_cold:8.1f}x"
                f"{cold * 1e3 / pages:8.1f}{pages / cold:8.1f}{peak / 2**20:8.0f}"
                f"{raw_peak / 2**20:7.0f}"
            )

        if batch_files:
            out = Path(tmp) / "batch-out"
            # The files themselves, not their folder: the cache folder may hold more PDFs
            # than this run asked for (a --quick run after a full one).
            seconds, peak = run_cold(
                [*_analyser_argv(), "batch", "--jobs", "2", "--force", "-o", str(out),
                 *map(str, batch_files)],
                Path(tmp),
            )  # fmt: skip
            written = len(list(out.glob("*.pdf.json")))
            if written != len(batch_files):
                raise RuntimeError(f"batch wrote {written} reports for {len(batch_files)} PDFs")
            raw_seconds, raw_peak = run_cold(
                [sys.executable, "-c", _RAW_PDFIUM, *map(str, batch_files)], Path(tmp)
            )
            n, pages = len(batch_files), 10 * len(batch_files)
            print(
                f"\nBatch of {n} ten-page PDFs, `analyser batch --jobs 2` (cold, whole command): "
                f"{seconds:.1f} s, {n / seconds:.1f} documents/s, {pages / seconds:.0f} pages/s, "
                f"peak {peak / 2**20:.0f} MB (process tree)"
            )
            print(
                f"Bare pypdfium2 loop over the same files (one process): {raw_seconds:.1f} s, "
                f"{n / raw_seconds:.1f} documents/s, peak {raw_peak / 2**20:.0f} MB; "
                f"ratio {seconds / raw_seconds:.1f}x"
            )
            batch_figures = (n, seconds, raw_seconds)
    print_done_when(summary, per_page, batch_figures, load)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def print_done_when(
    summary: list[tuple[int, float, float, int, float, int, float]],
    per_page: dict[int, float],
    batch: tuple[int, float, float] | None,
    load: str,
) -> None:
    """Issue 18's "done when" lines, each with the figures of this run and met / NOT met."""
    print(f"\nIssue 18, done when (this run; load average {load} before it):")
    rows = {pages: row for pages, *row in summary}
    if 30 in rows:
        warm, cold, _peak, raw_cold, _raw_peak, _keyword = rows[30]
        print(
            f"- 30 pages: cold check {cold:.2f} s (<= 1.5: {_verdict(cold <= 1.5)}), "
            f"{cold / raw_cold:.1f}x raw pypdfium2 (<= 8x: {_verdict(cold / raw_cold <= 8)}), "
            f"warm {warm:.2f} s (<= 0.5: {_verdict(warm <= 0.5)})"
        )
    if 1000 in rows:
        _warm, cold, peak, raw_cold, _raw_peak, _keyword = rows[1000]
        flat = max(per_page.values()) / min(per_page.values())
        print(
            f"- 1,000 pages: {cold / raw_cold:.1f}x raw pypdfium2 (<= 15x: "
            f"{_verdict(cold / raw_cold <= 15)}), peak {peak / 2**20:.0f} MB (<= 400: "
            f"{_verdict(peak <= 400 * 2**20)}); warm ms/page from "
            f"{min(per_page)} to {max(per_page)} pages within {flat:.2f}x of each other "
            f"({', '.join(f'{p}: {v:.1f}' for p, v in sorted(per_page.items()))})"
        )
    if batch is not None:
        n, seconds, raw_seconds = batch
        note = "" if n >= 200 else f" (only {n} documents: start-up weighs more than in 200)"
        print(
            f"- batch --jobs 2: {n / seconds:.1f} documents/s (>= 15: "
            f"{_verdict(n / seconds >= 15)}), {seconds / raw_seconds:.1f}x a bare pypdfium2 "
            f"loop (<= 10x: {_verdict(seconds / raw_seconds <= 10)}){note}"
        )
    print("- same hits, statuses and evidence: tests/test_rules.py and the golden tests")


if __name__ == "__main__":
    main()
