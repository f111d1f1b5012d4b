"""`analyser annotate` on PDF: highlights with notes, gaps on page 1, original bytes kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.annotate.findings import gaps

pytest.importorskip("pypdf")
import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as raw  # noqa: E402
from docx_fixtures import libreoffice_convert  # noqa: E402
from extract_fixtures import soffice  # noqa: E402

from analyser.annotate.pdf import annotate_pdf  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _annotations(data: bytes) -> list[tuple[int, int]]:
    """(page index, pdfium subtype) of every annotation, as pdfium lists them."""
    pdf = pdfium.PdfDocument(data)
    out = []
    for index, page in enumerate(pdf):
        for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
            annot = raw.FPDFPage_GetAnnot(page.raw, i)
            out.append((index, raw.FPDFAnnot_GetSubtype(annot)))
            raw.FPDFPage_CloseAnnot(annot)
    pdf.close()
    return out


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.pdf")), ids=lambda p: p.stem)
def test_annotate_pdf_every_sample(sample: Path, analyser_default, tmp_path: Path) -> None:  # noqa: ANN001
    """pdfium lists every annotation, and LibreOffice (Writer's PDF import, the only PDF
    reader of the headless install) opens the annotated copy and converts it without error."""
    report = analyser_default.analyse_path(sample)
    original = sample.read_bytes()
    result = annotate_pdf(report, original)
    # An incremental update: the original bytes, page content included, come first unchanged.
    assert result.data.startswith(original) and len(result.data) > len(original)
    listed = _annotations(result.data)
    highlights = [a for a in listed if a[1] == raw.FPDF_ANNOT_HIGHLIGHT]
    notes = [a for a in listed if a[1] == raw.FPDF_ANNOT_TEXT]
    assert len(highlights) == result.highlights
    assert len(notes) == result.notes and all(page == 0 for page, _ in notes)
    assert result.highlights + result.notes == len(result.findings) + len(gaps(report))
    evidenced = [f for f in result.findings if f.evidence is not None]
    assert result.highlights >= len(evidenced) // 2, "most evidence passages are found"
    if soffice() is not None:
        annotated = tmp_path / f"{sample.stem}.annotated.pdf"
        annotated.write_bytes(result.data)
        converted = libreoffice_convert(annotated, tmp_path / "lo", "pdf", "writer_pdf_import")
        assert len(pdfium.PdfDocument(converted)) == len(pdfium.PdfDocument(result.data))


def test_annotate_pdf_locate_a_long_quote_that_differs_at_its_end() -> None:
    """A 40-word quote whose last word is not on the page (a curly apostrophe, a typo) is
    found by its first words. The hyphen-tolerant search over the whole quote once
    backtracked exponentially on such a quote (2^40 ways to fail) and took minutes."""
    from analyser.annotate.pdf import locate
    from analyser.report import Evidence

    pdf = pdfium.PdfDocument((SAMPLES / "mou-fjordvik-kilimani.pdf").read_bytes())
    words = pdf[1].get_textpage().get_text_range().split()
    assert len(words) > 60
    quote = " ".join(words[10:50] + ["zzzz-not-there"])
    found = locate(pdf, Evidence(quote, 0, len(quote), page=2))
    assert found is not None and found[0] == 1


def test_annotate_pdf_highlight_covers_the_quote(analyser_default) -> None:  # noqa: ANN001
    """The first highlighted rectangle holds the start of the quote."""
    from analyser.annotate.pdf import locate

    sample = SAMPLES / "mou-fjordvik-kilimani.pdf"
    report = analyser_default.analyse_path(sample)
    pdf = pdfium.PdfDocument(sample.read_bytes())
    quotes = [c.evidence[0] for c in report.clauses if c.evidence]
    assert quotes
    for quote in quotes:
        found = locate(pdf, quote)
        assert found is not None, quote.text
        page, rects = found
        left, bottom, right, top = rects[0]
        shown = " ".join(
            pdf[page].get_textpage().get_text_bounded(left, bottom, right, top).split()
        )
        assert shown and " ".join(quote.text.split()).startswith(shown[:20])


def test_annotate_pdf_encrypted_is_refused_in_one_line(analyser_default) -> None:  # noqa: ANN001
    """A PDF with only an owner password opens and is analysed, but pypdf cannot append an
    incremental update to an encrypted file: one clear reason, not a NotImplementedError."""
    from hostile_inputs import KINDS

    from analyser.errors import EncryptedDocument
    from analyser.extract import extract_bytes

    kind = next(k for k in KINDS if k.id == "pdf-encrypted-owner-only")
    data = kind.build()
    report = analyser_default.analyse_document(extract_bytes(data, kind.filename))
    with pytest.raises(EncryptedDocument, match="cannot annotate an encrypted PDF"):
        annotate_pdf(report, data)


def test_annotate_pdf_notes_stay_on_a_small_page(analyser_default, tmp_path: Path) -> None:  # noqa: ANN001
    """The notes were stacked straight down the right edge: on a small page (here 200 pt
    square, reportlab) most fell below it, where no reader shows them. They wrap into
    columns inside the page."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(200, 200))
    c.setFont("Helvetica", 6)
    for i, line in enumerate(
        ["Cooperation Agreement", "Article 1 Purpose", "The Parties shall cooperate in",
         "good faith on the research programme."]
    ):  # fmt: skip
        c.drawString(10, 180 - 10 * i, line)
    c.showPage()
    c.save()
    data = buffer.getvalue()
    from analyser.extract import extract_bytes

    report = analyser_default.analyse_document(extract_bytes(data, "small.pdf"))
    result = annotate_pdf(report, data)
    assert result.notes > 8  # more than one column holds on this page
    pdf = pdfium.PdfDocument(result.data)
    page = pdf[0]
    rects = []
    for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, i)
        rect = raw.FS_RECTF()
        raw.FPDFAnnot_GetRect(annot, rect)
        rects.append((rect.left, rect.bottom))
        raw.FPDFPage_CloseAnnot(annot)
    assert len(rects) == result.notes + result.highlights
    assert all(0 <= x <= 200 and 0 <= y <= 200 for x, y in rects), rects
