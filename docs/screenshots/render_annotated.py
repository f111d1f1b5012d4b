"""Render the README's screenshot of an annotated draft, with the tests' own tools.

The partner's redline fixture (tests/revision_fixtures.py, python-docx + w:ins/w:del) is
analysed and annotated, LibreOffice exports it to PDF with its comments, and pdftoppm renders
the page holding the analyser's tracked insertion to docs/screenshots/annotated-draft.png.
Run from the repository root: ``python docs/screenshots/render_annotated.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from revision_fixtures import (  # noqa: E402
    ONLY_ARTICLE_3,
    build_agreement,
    delete_article,
    delete_paragraphs_starting,
    libreoffice_pdf_with_comments,
)

from analyser.annotate.docx import annotate_docx  # noqa: E402
from analyser.pipeline import Analyser  # noqa: E402


def main() -> None:
    out = ROOT / "docs" / "screenshots" / "annotated-draft.png"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        draft = build_agreement(
            folder / "partner-redline.docx",
            delete_article(3),
            delete_paragraphs_starting("9.3", "9.4"),
            text=ONLY_ARTICLE_3,
        )
        report = Analyser.for_profile(None).analyse_path(draft)
        reviewed = folder / "reviewed.docx"
        reviewed.write_bytes(annotate_docx(report, draft.read_bytes()).data)
        pdf = libreoffice_pdf_with_comments(reviewed, folder)
        pages = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split("\f")
        page = next(
            i
            for i, text in enumerate(pages, 1)
            if "Academic freedom" in text and "Article 11" in text
        )
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile",
             str(pdf), str(out.with_suffix(""))],
            check=True,
        )  # fmt: skip
    print(f"written: {out.relative_to(ROOT)} (page {page})")


if __name__ == "__main__":
    main()
