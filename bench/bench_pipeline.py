"""Benchmark of the analysis pipeline. Prints figures; asserts nothing.

Measures, in one run on this machine:
- per sample and in total: documents/s, pages/s and ms per stage (extract, segment, detect,
  report rendering) in a warm process, next to a plain keyword search over the same text
  (the Ctrl-F baseline), with the ratio between them;
- a generated 30-page agreement PDF: end to end in a warm process, and `analyser check`
  from a cold start (a fresh interpreter), against the issue's targets (0.5 s and 1.5 s).

Run: python bench/bench_pipeline.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import best_of  # bench/measure.py, beside this script

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from analyser.baseline import keyword_status
    from analyser.extract import extract
    from analyser.pipeline import Analyser
    from analyser.render import render
    from analyser.segment import segment

    analyser = Analyser.for_profile(None)
    samples = sorted(
        p for p in (REPO / "samples").iterdir() if p.suffix in {".pdf", ".docx", ".txt"}
    )
    analyser.analyse_path(samples[0])  # warm: model and matchers loaded

    stages = {"extract": 0.0, "segment": 0.0, "detect": 0.0, "report": 0.0}
    keyword_total, pages = 0.0, 0
    print(
        f"{'sample':<42} {'pages':>5} {'extract':>8} {'segment':>8} {'detect':>8} "
        f"{'report':>8} {'ms total':>9} {'Ctrl-F ms':>9}"
    )
    for path in samples:
        document = extract(path)
        t_extract = best_of(lambda p=path: extract(p), args.repeat)
        t_segment = best_of(lambda d=document: segment(d), args.repeat)
        t_all = best_of(lambda d=document: analyser.analyse_document(d), args.repeat)
        report = analyser.analyse_document(document)
        t_report = best_of(lambda r=report: render(r, "json"), args.repeat)
        t_detect = max(t_all - t_segment, 0.0)
        lang = "nb" if report.document.language in {"nb", "nn"} else "en"
        specs = analyser.profile.clauses
        t_keyword = best_of(
            lambda d=document, s=specs, lg=lang: [keyword_status(d.text, c, lg) for c in s],
            args.repeat,
        )
        n_pages = document.pages or max(1, round(len(document.text) / 3000))
        pages += n_pages
        for name, value in zip(stages, (t_extract, t_segment, t_detect, t_report), strict=True):
            stages[name] += value
        keyword_total += t_keyword + t_extract
        total = t_extract + t_segment + t_detect + t_report
        print(
            f"{path.name:<42} {n_pages:>5} {t_extract * 1e3:8.1f} {t_segment * 1e3:8.1f} "
            f"{t_detect * 1e3:8.1f} {t_report * 1e3:8.1f} {total * 1e3:9.1f} "
            f"{(t_keyword + t_extract) * 1e3:9.1f}"
        )
    total = sum(stages.values())
    print(
        f"\nSamples: {len(samples)} documents, {pages} pages "
        "(TXT/DOCX pages estimated at 3,000 characters)"
    )
    print(f"Analyser:        {len(samples) / total:8.1f} documents/s  {pages / total:8.1f} pages/s")
    print(
        f"Keyword search:  {len(samples) / keyword_total:8.1f} documents/s  "
        "(extraction + Ctrl-F of each clause's keywords)"
    )
    print(f"Ratio analyser/keyword time: {total / keyword_total:.1f}x")
    for name, value in stages.items():
        print(
            f"  {name:<8} {value * 1e3 / len(samples):7.1f} ms per document "
            f"({100 * value / total:4.1f} %)"
        )

    from tests.extract_fixtures import build_agreement_pdf

    with tempfile.TemporaryDirectory() as tmp:
        pdf = build_agreement_pdf(Path(tmp) / "agreement-30p.pdf", pages=30)
        warm = best_of(lambda: analyser.analyse_path(pdf), args.repeat)
        cold = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "analyser", "check", str(pdf), "-f", "json"],
                check=True,
                stdout=subprocess.DEVNULL,
                cwd=tmp,
            )
            cold.append(time.perf_counter() - started)
        print(
            f"\n30-page PDF, warm process: {warm * 1e3:.0f} ms end to end (target <= 500 ms): "
            f"{analyser.timings}"
        )
        print(
            f"30-page PDF, `analyser check` cold start: median {statistics.median(cold):.2f} s "
            f"(target <= 1.5 s)"
        )


if __name__ == "__main__":
    main()
