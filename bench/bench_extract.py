"""Time PDF extraction: our ``extract()`` next to raw pypdfium2 and raw pdfplumber.

Run: ``python bench/bench_extract.py [--pages 30] [--repeat 5] [--table-every 5]``. Generates
reportlab PDFs in a temporary directory, reports the best of ``--repeat`` runs in ms per page,
and the ratios. It prints figures and asserts nothing: the numbers justify pdfium as the fast
path and show what the table path (pdfplumber on ruled pages only) costs:

1. the agreement PDF without ruled tables (pdfplumber is never opened);
2. a PDF with a ruled table on every ``--table-every``-th page, next to the same PDF without
   the tables; the difference of the two ``extract()`` times per table page is the price of
   the table path, and "raw pdfplumber" is what running pdfplumber on every page would cost;
3. the ToUnicode check (``lying_fonts``, one pdfminer pass over the fonts) against the whole
   ``extract()`` of the same file, on reportlab, LibreOffice and Chromium PDFs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from extract_fixtures import build_agreement_pdf, build_table_pdf  # noqa: E402

from analyser.extract import extract  # noqa: E402 - after the path set-up above
from analyser.extract.pdf_fonts import lying_fonts  # noqa: E402


def raw_pdfium(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        chars = 0
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return chars
    finally:
        pdf.close()


def raw_pdfplumber(path: Path) -> int:
    chars = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars += len(page.extract_text() or "")
            page.close()  # frees the page's cached layout objects
    return chars


def raw_pdfplumber_tables(path: Path) -> int:
    """pdfplumber everywhere: text and ruled tables of every page."""
    chars = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars += len(page.extract_text() or "")
            chars += len(page.extract_tables())
            page.close()
    return chars


def ours(path: Path) -> int:
    return len(extract(path).text)


def best_ms(func: Callable[[Path], int], path: Path, repeat: int) -> float:
    func(path)  # warm-up: imports, font caches
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        func(path)
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def page_count(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def print_table(title: str, results: dict[str, float], pages: int) -> None:
    base = results["raw pypdfium2 get_text_range"]
    print(title)
    print(f"{'path':40} {'total ms':>10} {'ms/page':>9} {'x pdfium':>9}")
    for label, total in results.items():
        print(f"{label:40} {total:10.1f} {total / pages:9.2f} {total / base:9.1f}")


def bench_plain(tmp: Path, pages: int, repeat: int) -> None:
    path = build_agreement_pdf(tmp / "bench.pdf", pages=pages)
    results = {
        "raw pypdfium2 get_text_range": best_ms(raw_pdfium, path, repeat),
        "analyser extract()": best_ms(ours, path, repeat),
        "raw pdfplumber extract_text": best_ms(raw_pdfplumber, path, max(1, repeat // 2)),
    }
    n = page_count(path)
    print_table(f"{n}-page PDF without ruled tables, best of {repeat} runs", results, n)
    ratio = results["raw pdfplumber extract_text"] / results["analyser extract()"]
    print(f"extract() is {ratio:.0f}x faster than pdfplumber extract_text")


def bench_tables(tmp: Path, pages: int, repeat: int, every: int) -> None:
    path = build_table_pdf(tmp / "tables.pdf", pages=pages, table_every=every)
    same_without = build_table_pdf(tmp / "no-tables.pdf", pages=pages, table_every=pages + 1)
    results = {
        "raw pypdfium2 get_text_range": best_ms(raw_pdfium, path, repeat),
        "analyser extract()": best_ms(ours, path, repeat),
        "analyser extract(), tables left out": best_ms(ours, same_without, repeat),
        "raw pdfplumber extract_text+tables": best_ms(
            raw_pdfplumber_tables, path, max(1, repeat // 2)
        ),
    }
    n, table_pages = page_count(path), pages // every
    print_table(
        f"{n}-page PDF, ruled table on every {every}th page ({table_pages} pages), "
        f"best of {repeat} runs",
        results,
        n,
    )
    plain = results["analyser extract(), tables left out"]
    extra = (results["analyser extract()"] - plain) / max(1, table_pages)
    print(f"plain page: {plain / n:.2f} ms; table path: +{extra:.1f} ms per table page")
    ratio = results["raw pdfplumber extract_text+tables"] / results["analyser extract()"]
    print(f"extract() is {ratio:.0f}x faster than pdfplumber on every page")


def bench_fonts(tmp: Path, pages: int, repeat: int) -> None:
    """What the ToUnicode check adds to extract(), per file."""
    files = [("reportlab, Helvetica", build_agreement_pdf(tmp / "fonts.pdf", pages=pages))]
    files += [(f"sample {p.name}", p) for p in sorted((ROOT / "samples").glob("*.pdf"))]
    if Path("/usr/bin/chromium").exists():
        from pdf_fixtures import _chromium_draft_pdf

        chromium = tmp / "chromium.pdf"
        chromium.write_bytes(_chromium_draft_pdf(tmp))
        files.append(("Chromium (Type0 TrueType, checked)", chromium))
    print(f"ToUnicode check against extract(), best of {repeat} runs")
    print(f"{'file':52} {'pages':>5} {'extract ms':>11} {'check ms':>9} {'share':>6}")
    for label, path in files:
        whole = best_ms(ours, path, repeat)
        check = best_ms(lambda p: len(lying_fonts(p.read_bytes())), path, repeat)
        share = check / whole * 100
        print(f"{label[:52]:52} {page_count(path):5} {whole:11.1f} {check:9.1f} {share:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--table-every", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_plain(Path(tmp), args.pages, args.repeat)
        print()
        bench_tables(Path(tmp), args.pages, args.repeat, args.table_every)
        print()
        bench_fonts(Path(tmp), args.pages, args.repeat)


if __name__ == "__main__":
    main()
