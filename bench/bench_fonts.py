"""False alarms and cost of the ToUnicode check (analyser/extract/pdf_fonts.py) on honest PDFs.

Renders the DEVELOPMENT half of ../shared/corpus (documents listed in dev-labels.jsonl; held-out
texts are never read) with real tools, fonts rotating per document:

- LibreOffice: a python-docx file converted with ``soffice --convert-to pdf`` (TrueType
  subsets; Type1/CFF for the URW fonts);
- Chromium (Skia): HTML printed with ``--print-to-pdf`` (Type0 fonts; TrueType ones keep their
  Unicode cmap and are checked).

Prints, per tool: documents, fonts with a ToUnicode map that could be checked against a second
reading of their own and that could not, fonts whose glyph outlines were compared across fonts,
false alarms (fonts judged lying, and hidden passages with reason
``actual_text_mismatch`` in ``extract()``), and the check's CPU time beside ``extract()``'s
(CPU time, not wall time: the figures should not depend on what else the machine runs).
Nothing is asserted: every document is honest, so every alarm printed is a false one.

Run: ``python bench/bench_fonts.py [--documents 25] [--paragraphs 120]``
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path[:0] = [str(REPO)]

from analyser.extract import extract  # noqa: E402 - after the path set-up above
from analyser.extract.pdf_fonts import audit_fonts  # noqa: E402

LIBREOFFICE_FONTS = ("DejaVu Serif", "Nimbus Roman", "URW Bookman", "DejaVu Sans")
CHROMIUM_FONTS = ("DejaVu Sans", "DejaVu Serif", "Nimbus Sans", "C059")


def dev_documents(limit: int, paragraphs: int) -> list[tuple[str, list[str]]]:
    out = []
    for line in (CORPUS / "dev-labels.jsonl").open(encoding="utf-8"):
        doc_id = json.loads(line)["id"]
        path = CORPUS / "texts" / f"{doc_id}.txt"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        parts = [p.strip() for p in text.split("\n\n") if p.strip()][:paragraphs]
        out.append((doc_id, parts))
        if len(out) >= limit:
            break
    return out


def libreoffice_pdfs(docs: list[tuple[str, list[str]]], folder: Path) -> list[Path]:
    from docx import Document

    sources = []
    for n, (doc_id, parts) in enumerate(docs):
        document = Document()
        style = document.styles["Normal"]
        style.font.name = LIBREOFFICE_FONTS[n % len(LIBREOFFICE_FONTS)]
        for part in parts:
            document.add_paragraph(part)
        source = folder / f"lo-{doc_id}.docx"
        document.save(str(source))
        sources.append(source)
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        return []
    profile = (folder / "lo-profile").resolve().as_uri()
    subprocess.run(
        [binary, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), *map(str, sources)],
        check=True, capture_output=True, timeout=1800,
    )  # fmt: skip
    return [folder / f"{s.stem}.pdf" for s in sources if (folder / f"{s.stem}.pdf").exists()]


def chromium_pdfs(docs: list[tuple[str, list[str]]], folder: Path) -> list[Path]:
    binary = Path("/usr/bin/chromium")
    if not binary.exists():
        return []
    out = []
    for n, (doc_id, parts) in enumerate(docs):
        font = CHROMIUM_FONTS[n % len(CHROMIUM_FONTS)]
        page = folder / f"ch-{doc_id}.html"
        body = "".join(f"<p>{html.escape(p)}</p>" for p in parts)
        page.write_text(
            f"<html><body style=\"font-family: '{font}'\">{body}</body></html>", encoding="utf-8"
        )
        target = folder / f"ch-{doc_id}.pdf"
        subprocess.run(
            [str(binary), "--headless", "--no-sandbox", "--disable-gpu",
             "--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri()],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        out.append(target)
    return out


def sweep(label: str, pdfs: list[Path]) -> None:
    checked = unchecked = outlines = lying = hidden = 0
    check_s = extract_s = 0.0
    for path in pdfs:
        data = path.read_bytes()
        started = time.process_time()
        audit = audit_fonts(data)
        check_s += time.process_time() - started
        started = time.process_time()
        doc = extract(path)
        extract_s += time.process_time() - started
        checked, unchecked = checked + audit.checked, unchecked + audit.unchecked
        outlines += audit.outlines
        lying += len(audit.lying)
        hidden += sum(h.reason == "actual_text_mismatch" for h in doc.hidden)
        if audit.lying:
            print(f"  FALSE ALARM {path.name}: {sorted(audit.lying)}")
    share = check_s / extract_s * 100 if extract_s else 0.0
    print(
        f"{label:12} {len(pdfs):5} {checked:8} {unchecked:10} {outlines:9} {lying:6} {hidden:7} "
        f"{check_s * 1000 / max(1, len(pdfs)):9.1f} {extract_s * 1000 / max(1, len(pdfs)):11.1f} "
        f"{share:5.1f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=25)
    parser.add_argument("--paragraphs", type=int, default=120)
    args = parser.parse_args()
    docs = dev_documents(args.documents, args.paragraphs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = {
            "LibreOffice": libreoffice_pdfs(docs, folder),
            "Chromium": chromium_pdfs(docs, folder),
        }
        print(f"{len(docs)} development texts (at most {args.paragraphs} paragraphs each)")
        print(
            f"{'tool':12} {'PDFs':>5} {'checked':>8} {'unchecked':>10} {'outlines':>9} "
            f"{'lying':>6} {'hidden':>7} {'check ms':>9} {'extract ms':>11} {'share':>6}"
        )
        for label, pdfs in made.items():
            sweep(label, pdfs)


if __name__ == "__main__":
    main()
