"""How many evidence quotes can be found again: share without page and section. Prints
figures; asserts nothing.

Issue 14.3's target: at most 1 quote in 10 without both page and section where the document
has numbered clauses. Measured on the samples and the development half of the shared corpus
(the documents listed in ``dev-labels.jsonl``; the held-out half is not read).

Run: python bench/bench_locations.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus"


def _documents() -> list[Path]:
    samples = sorted(
        p for p in (REPO / "samples").iterdir() if p.suffix in {".pdf", ".docx", ".txt"}
    )
    labels = CORPUS / "dev-labels.jsonl"
    dev = []
    if labels.is_file():
        for line in labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                path = CORPUS / "texts" / f"{json.loads(line)['id']}.txt"
                if path.is_file():
                    dev.append(path)
    return samples + dev


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per document")
    args = parser.parse_args()

    from analyser.evaluate import MIN_NUMBERED_CLAUSES
    from analyser.extract import extract
    from analyser.pipeline import Analyser
    from analyser.segment import opens_clause

    analyser = Analyser.for_profile(None)
    totals = {"all": [0, 0], "numbered": [0, 0]}
    for path in _documents():
        document = extract(path)
        report = analyser.analyse_document(document)
        quotes = [e for c in report.clauses for e in c.evidence]
        quotes += [e for c in report.clauses for k in c.concerns for e in k.evidence]
        quotes += [e for f in report.red_flags for e in f.evidence]
        lost = sum(1 for e in quotes if e.page is None and not e.section)
        numbered = sum(opens_clause(b) for b in document.blocks) >= MIN_NUMBERED_CLAUSES
        for key in ("all", "numbered") if numbered else ("all",):
            totals[key][0] += lost
            totals[key][1] += len(quotes)
        if args.verbose:
            print(f"{path.name:<48} {'numbered' if numbered else '':<9} {lost:3d}/{len(quotes)}")
    for key, label in (("all", "all documents"), ("numbered", "numbered clauses")):
        lost, total = totals[key]
        share = lost / total if total else 0.0
        print(f"Quotes without page or section, {label:<17}: {lost}/{total} ({share:.1%})")
    print("Target (issue 14.3): <= 10 % where the document has numbered clauses")


if __name__ == "__main__":
    main()
