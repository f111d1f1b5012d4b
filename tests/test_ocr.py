"""`--ocr`: scanned PDFs are read only when the user asks, with a real ocrmypdf/Tesseract."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from analyser.cli import main
from analyser.errors import OcrFailed

TEXT = [
    "Article 9 Termination",
    "",
    "Either Party may terminate this Agreement with immediate",
    "effect if the other Party materially breaches its obligations",
    "under this Agreement.",
]


@pytest.fixture
def scanned_pdf(tmp_path: Path) -> Path:
    """A one-page PDF that is only a picture of typed text, as a scanner makes it."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    font = (
        ImageFont.truetype(str(font_path), 36) if font_path.exists() else ImageFont.load_default(36)
    )
    for i, line in enumerate(TEXT):
        draw.text((150, 200 + 60 * i), line, font=font, fill=0)
    png = tmp_path / "page.png"
    image.save(png)
    pdf = tmp_path / "scanned.pdf"
    page = canvas.Canvas(str(pdf), pagesize=A4)
    page.drawImage(str(png), 0, 0, width=A4[0], height=A4[1])
    page.save()
    return pdf


def test_ocr_not_asked_scanned_pdf_is_refused_with_a_hint(runner, scanned_pdf: Path) -> None:
    result = runner.invoke(main, ["check", str(scanned_pdf)])
    assert result.exit_code == 3
    assert "no text layer" in result.output and "--ocr" in result.output


def test_ocr_asked_but_not_installed_is_a_clear_error(monkeypatch, scanned_pdf: Path) -> None:
    import analyser.ocr
    from analyser.pipeline import Analyser

    monkeypatch.setattr(analyser.ocr.shutil, "which", lambda _name: None)
    with pytest.raises(OcrFailed, match="ocrmypdf is not installed"):
        Analyser.for_profile(None, ocr=True).analyse_path(scanned_pdf)


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("ocrmypdf") is None and not os.environ.get("CI"),
    reason="ocrmypdf not installed (apt-get install ocrmypdf tesseract-ocr-eng tesseract-ocr-nor)",
)
def test_ocr_reads_a_scanned_pdf(runner, scanned_pdf: Path) -> None:
    result = runner.invoke(main, ["check", str(scanned_pdf), "--ocr", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["document"]["name"] == "scanned.pdf"
    assert report["document"]["sha256"] == hashlib.sha256(scanned_pdf.read_bytes()).hexdigest()
    assert any("OCR" in w for w in report["warnings"])
    exit_clause = next(c for c in report["clauses"] if c["id"] == "exit_strategy")
    assert exit_clause["status"] == "present"
    assert "breach" in exit_clause["evidence"][0]["text"]


@pytest.mark.skipif(
    shutil.which("ocrmypdf") is None and not os.environ.get("CI"),
    reason="ocrmypdf not installed (apt-get install ocrmypdf tesseract-ocr-eng tesseract-ocr-nor)",
)
def test_ocr_rereads_every_page_when_the_text_layer_cannot_be_trusted(
    runner, tmp_path: Path
) -> None:
    """A draft whose body font and an edited copy of it read the same glyphs as different
    letters: no word of the text layer is trusted, and --ocr reads what the page shows."""
    from pdf_fixtures import DECOY_LINE, build_lying_to_unicode_pdf

    pdf = build_lying_to_unicode_pdf(tmp_path / "cipher.pdf", "truetype_copy", cipher=True)
    refused = runner.invoke(main, ["check", str(pdf)])
    assert refused.exit_code == 3
    assert "run OCR" in refused.stderr
    result = runner.invoke(main, ["check", str(pdf), "--ocr", "--format", "json", "--no-model"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    exit_clause = next(c for c in report["clauses"] if c["id"] == "exit_strategy")
    assert exit_clause["status"] != "missing"  # the body text, read from the page image
    assert any("OCR" in w for w in report["warnings"])
    assert report["document"]["characters"] > len(DECOY_LINE) * 20  # the whole page was read
