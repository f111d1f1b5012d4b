"""Answer inside a PDF draft: highlights with notes on the evidence, gaps as notes on page 1.

Passages are found with pdfium (the extractor's own engine, so its text is what the report
quotes): the quote is searched in the page text with whitespace collapsed, and pdfium's text
rectangles for the matched characters become the highlight's quad points (PDF 32000-1:2008
§12.5.6.10: four corners per rectangle, upper left, upper right, lower left, lower right).

The annotations are written with pypdf as an **incremental update** (§7.5.6): the original
file's bytes stay as they are and the update is appended after them, so the page content is
untouched by construction and a signature over the original bytes stays checkable. pypdf is
pure Python (no compiled qpdf as with pikepdf) and has an annotation API and incremental
writing; pdfium can read annotations but its writer rewrites the whole file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from analyser.annotate.findings import Finding, findings, gaps, wording
from analyser.errors import AnalyserError, CorruptDocument, EncryptedDocument
from analyser.report import Evidence, Report

_NOTE_SIZE = 18.0
_HIGHLIGHT = "ffeb3b"


@dataclass
class AnnotatedPdf:
    data: bytes
    highlights: int
    notes: int
    findings: list[Finding] = field(default_factory=list)


class MissingDependency(AnalyserError):
    exit_code = 2


Rect = tuple[float, float, float, float]  # left, bottom, right, top


def _page_text_index(text: str) -> tuple[str, list[int]]:
    """Page text with whitespace collapsed to single spaces, and each kept char's index."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            space = bool(out)
            continue
        if space:
            out.append(" ")
            index.append(i)
            space = False
        out.append(ch)
        index.append(i)
    return "".join(out), index


def locate(pdf: object, evidence: Evidence) -> tuple[int, list[Rect]] | None:
    """(page index, text rectangles) of a quote, or None when pdfium cannot find it."""
    import pypdfium2 as pdfium

    assert isinstance(pdf, pdfium.PdfDocument)
    words = evidence.text.split()
    if not words:
        return None
    pages = [evidence.page - 1] if evidence.page and 0 < evidence.page <= len(pdf) else []
    pages += [i for i in range(len(pdf)) if i not in pages]
    candidates = [" ".join(words), " ".join(words[:8])]
    for i in pages:
        textpage = pdf[i].get_textpage()
        flat, index = _page_text_index(textpage.get_text_range())
        for candidate in candidates:
            at = flat.find(candidate)
            if at < 0:
                # Between words: a line-end hyphen and spaces, or nothing. The gap is an atomic
                # group: with "\s?-?\s?" free to backtrack, a single space can be matched two
                # ways, so a long quote that is NOT on the page took 2^words steps (minutes).
                gap = r"(?>\s?-?\s?)"
                match = re.search(re.escape(candidate).replace(r"\ ", gap), flat)
                at = match.start() if match else -1
                length = len(match.group(0)) if match else 0
            else:
                length = len(candidate)
            if at >= 0:
                start, end = index[at], index[at + length - 1] + 1
                count = textpage.count_rects(start, end - start)
                return i, [textpage.get_rect(r) for r in range(count)]
    return None


def _note_position(n: int, box: Rect) -> tuple[float, float]:
    """Lower-left corner of page note ``n``: a column down the right edge of the visible page,
    then the next column to its left. One column straight down put notes below a small page
    (or past the 36th on A4), where no reader shows them."""
    left, bottom, right, top = box
    step = _NOTE_SIZE + 4
    rows = max(1, int((top - bottom - step) // step))
    column, row = divmod(n, rows)
    x = max(left, right - 2 * _NOTE_SIZE - column * step)
    y = max(bottom, top - (row + 2) * step)
    return x, y


def annotate_pdf(report: Report, data: bytes) -> AnnotatedPdf:
    """A copy of the PDF ``data`` with ``report``'s findings as annotations."""
    try:
        from pypdf import PdfWriter
        from pypdf.annotations import Highlight, Text
        from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject
    except ImportError as e:  # pragma: no cover - pypdf is a declared dependency
        raise MissingDependency("annotating PDFs needs pypdf (pip install pypdf)") from e
    import pypdfium2 as pdfium

    words = wording()
    notes = findings(report)
    try:
        pdf = pdfium.PdfDocument(data)
        writer = PdfWriter(io.BytesIO(data), incremental=True)
    except Exception as e:  # noqa: BLE001 - pdfium/pypdf raise assorted types on bad files
        raise CorruptDocument(
            f"cannot annotate this PDF: it does not open for writing ({type(e).__name__})",
            report.document.name,
        ) from e
    highlights = page_notes = 0
    unplaced: list[Finding] = []
    try:
        for finding in notes:
            found = locate(pdf, finding.evidence) if finding.evidence else None
            if finding.kind == "summary" or found is None:
                unplaced.append(finding)
                continue
            page, rects = found
            quads: list[float] = []
            for left, bottom, right, top in rects:
                quads += [left, top, right, top, left, bottom, right, bottom]
            box = (
                min(r[0] for r in rects),
                min(r[1] for r in rects),
                max(r[2] for r in rects),
                max(r[3] for r in rects),
            )
            annotation = Highlight(
                rect=box,
                quad_points=ArrayObject([FloatObject(q) for q in quads]),
                highlight_color=_HIGHLIGHT,
            )
            annotation[NameObject("/Contents")] = TextStringObject(finding.text)
            annotation[NameObject("/T")] = TextStringObject(words.author)
            writer.add_annotation(page_number=page, annotation=annotation)
            highlights += 1
        x0, y0, x1, y1 = (float(v) for v in pdf[0].get_cropbox())
    finally:
        pdf.close()
    gap_texts = [
        f"Suggested wording — {c.title} ({c.status}):\n{' '.join((c.suggestion or '').split())}"
        for c in gaps(report)
    ]
    texts = [f.text for f in unplaced] + gap_texts
    for n, text in enumerate(texts):
        x, y = _note_position(n, (x0, y0, x1, y1))
        note = Text(rect=(x, y, x + _NOTE_SIZE, y + _NOTE_SIZE), text=text, open=False)
        note[NameObject("/T")] = TextStringObject(words.author)
        writer.add_annotation(page_number=0, annotation=note)
        page_notes += 1
    out = io.BytesIO()
    try:
        writer.write(out)
    except NotImplementedError as e:
        # pypdf appends no incremental update to an encrypted file (even one that opens
        # without a password), and rewriting it would change the original bytes.
        raise EncryptedDocument(
            "cannot annotate an encrypted PDF without rewriting it: annotate an unencrypted copy",
            report.document.name,
        ) from e
    return AnnotatedPdf(out.getvalue(), highlights, page_notes, notes)
