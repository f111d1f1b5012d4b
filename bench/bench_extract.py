"""Time PDF extraction: our ``extract()`` next to raw pypdfium2 and raw pdfplumber.

Run: ``python bench/bench_extract.py [--pages 30] [--repeat 5]``. Generates a reportlab PDF in a
temporary directory, reports the best of ``--repeat`` runs in ms per page, and the ratios. It
prints figures and asserts nothing: the numbers justify the choice of pdfium as the fast path.
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

from extract_fixtures import build_agreement_pdf  # noqa: E402

from analyser.extract import extract  # noqa: E402 - after the path set-up above


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_agreement_pdf(Path(tmp) / "bench.pdf", pages=args.pages)
        pages = len(pdfium.PdfDocument(str(path)))
        results = {
            "raw pypdfium2 get_text_range": best_ms(raw_pdfium, path, args.repeat),
            "analyser extract()": best_ms(ours, path, args.repeat),
            "raw pdfplumber extract_text": best_ms(raw_pdfplumber, path, max(1, args.repeat // 2)),
        }
    base = results["raw pypdfium2 get_text_range"]
    print(f"{pages}-page PDF, best of {args.repeat} runs")
    print(f"{'path':32} {'total ms':>10} {'ms/page':>9} {'x pdfium':>9}")
    for label, total in results.items():
        print(f"{label:32} {total:10.1f} {total / pages:9.2f} {total / base:9.1f}")
    ratio = results["raw pdfplumber extract_text"] / results["analyser extract()"]
    print(f"extract() is {ratio:.0f}x faster than pdfplumber extract_text")


if __name__ == "__main__":
    main()
