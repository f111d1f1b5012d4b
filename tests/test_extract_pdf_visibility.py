"""Text no reader of the PDF can see is never analysed (analyser/extract/pdf_visibility.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_fixtures import (
    DECOY_LINE,
    DRAFT_LINES,
    HIDDEN_ARTICLE,
    HIDDEN_WAYS,
    LYING_FONT_WAYS,
    build_actual_text_pdf,
    build_hidden_article_pdf,
    build_lying_to_unicode_pdf,
    build_ocr_layer_pdf,
    build_visible_draft,
)

from analyser.errors import UntrustedTextLayer
from analyser.extract import extract
from analyser.report import Report

EXPECTED_REASON = {
    "render_mode_invisible": "render_mode_invisible",
    "render_mode_clip": "render_mode_invisible",
    "white_on_white": "invisible_colour",
    "white_on_white_box": "invisible_colour",
    "transparent": "invisible_colour",
    "outside_crop_box": "outside_page",
    "zero_area_clip": "clipped",
    "optional_content_off": "optional_content_off",
    "tiny_font": "tiny_font",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hidden")


@pytest.fixture(scope="module")
def clean(folder: Path) -> Path:
    return build_visible_draft(folder / "clean.pdf")


@pytest.fixture(scope="module", params=HIDDEN_WAYS, ids=HIDDEN_WAYS)
def hidden(request: pytest.FixtureRequest, folder: Path) -> tuple[str, Path]:
    way = str(request.param)
    return way, build_hidden_article_pdf(folder / f"{way}.pdf", way)


def test_pdf_visibility_hidden_article_is_not_in_the_text(hidden: tuple[str, Path]) -> None:
    way, path = hidden
    doc = extract(path)
    assert "academic freedom" not in doc.text.lower()
    assert "Article 5 Termination and exit" in doc.text  # the visible draft is all there
    assert [h.reason for h in doc.hidden] == [EXPECTED_REASON[way]]
    assert doc.hidden[0].page == 1
    assert doc.hidden[0].text == " ".join(HIDDEN_ARTICLE)


def test_pdf_visibility_clean_draft_has_nothing_hidden(clean: Path) -> None:
    doc = extract(clean)
    assert doc.hidden == []
    assert doc.warnings == []


def test_pdf_visibility_same_text_with_and_without_the_hidden_article(
    clean: Path, hidden: tuple[str, Path]
) -> None:
    assert extract(hidden[1]).text == extract(clean).text


def test_pdf_visibility_actual_text_that_lies_is_not_trusted(folder: Path) -> None:
    doc = extract(build_actual_text_pdf(folder / "actual_text.pdf"))
    assert DECOY_LINE in doc.text  # what the glyphs show
    assert "academic freedom" not in doc.text.lower()
    assert [(h.reason, h.text) for h in doc.hidden] == [
        ("actual_text_mismatch", " ".join(HIDDEN_ARTICLE))
    ]
    assert any("/ActualText" in w for w in doc.warnings)


def test_pdf_visibility_ocr_layer_over_a_page_image_is_read(folder: Path) -> None:
    """Invisible text over a scan is an OCR layer (ocrmypdf, Acrobat), not hidden text."""
    doc = extract(build_ocr_layer_pdf(folder / "ocr.pdf"))
    assert doc.hidden == []
    assert DRAFT_LINES[-1] in doc.text


def _statuses(report: Report) -> dict[str, str]:
    return {c.id: c.status for c in report.clauses}


def test_pdf_visibility_hidden_article_never_makes_academic_freedom_present(
    analyser_default, clean: Path, hidden: tuple[str, Path]
) -> None:
    reference = analyser_default.analyse_document(extract(clean))
    report = analyser_default.analyse_document(extract(hidden[1]))
    assert _statuses(report)["academic_freedom"] != "present"
    assert _statuses(report) == _statuses(reference)
    assert report.document.hidden_text == 1
    assert any("hidden text" in w for w in report.warnings)
    assert reference.document.hidden_text == 0


@pytest.mark.parametrize("way", LYING_FONT_WAYS, ids=LYING_FONT_WAYS)
def test_pdf_visibility_text_in_a_font_whose_map_lies_is_hidden(folder: Path, way: str) -> None:
    if way == "cid_truetype" and not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not installed - Chromium-made PDF not built")
    doc = extract(build_lying_to_unicode_pdf(folder / f"lie-{way}.pdf", way))
    assert "academic freedom" not in doc.text.lower()
    assert "Article 5 Termination and exit" in doc.text
    assert [h.reason for h in doc.hidden] == ["actual_text_mismatch"]
    assert "Academic freedom" in doc.hidden[0].text
    assert any("ToUnicode" in w for w in doc.warnings)


def test_pdf_visibility_no_trusted_text_left_is_refused_with_advice_to_ocr(folder: Path) -> None:
    with pytest.raises(UntrustedTextLayer, match="run OCR"):
        extract(build_lying_to_unicode_pdf(folder / "cipher.pdf", "truetype_copy", cipher=True))
