"""PDF layout on files LibreOffice made from python-docx drafts: furniture, tables of contents
and letterhead are skipped, paragraphs and hyphenated words are whole, two columns are read
one after the other (analyser/extract/pdf.py, pdf_furniture.py, pdf_columns.py)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from extract_fixtures import convert_with_libreoffice, soffice
from pdf_fixtures import (
    BILINGUAL,
    HYPHEN_WORDS,
    LETTERHEAD,
    PRIVACY_FOOTER,
    RUNNING_HEADER,
    TOC_ENTRIES,
    build_bilingual_docx,
    build_layout_docx,
    build_letter_docx,
)

from analyser.document import Document
from analyser.extract import extract
from analyser.report import Report

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")

# A quote is a whole sentence: it starts like a sentence (capital, digit, opening bracket or
# quote) and ends with end punctuation (a closing bracket or quote may follow).
_SENTENCE_START = re.compile(r"^[\"'“(\[]?[A-ZÆØÅ0-9§]")
_SENTENCE_END = re.compile(r"[.!?;:][\"'”)\]]?$")


def _pdf(folder: Path, docx_path: Path) -> Path:
    return convert_with_libreoffice(docx_path, folder)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("layout")


@pytest.fixture(scope="module")
def layout_pdf(folder: Path) -> Path:
    return _pdf(folder, build_layout_docx(folder / "layout.docx"))


@pytest.fixture(scope="module")
def layout(layout_pdf: Path) -> Document:
    return extract(layout_pdf)


def test_pdf_layout_furniture_is_not_in_the_text(layout: Document) -> None:
    for furniture in (RUNNING_HEADER, *LETTERHEAD, "GDPR", "privacy", "Contents"):
        assert furniture not in layout.text
    assert not re.search(r"\bPage \d", layout.text)
    for title, page in TOC_ENTRIES:
        assert not re.search(rf"{re.escape(title)}\W*{page}\b", layout.text)


def test_pdf_layout_skipped_passages_are_listed_by_kind(layout: Document) -> None:
    pages = layout.pages or 0
    kinds = Counter(p.kind for p in layout.skipped)
    assert kinds["running_header"] == pages - 1  # the first page has the letterhead instead
    assert kinds["page_number"] == pages
    assert kinds["letterhead"] == len(LETTERHEAD)
    assert kinds["table_of_contents"] == len(TOC_ENTRIES) + 1  # with the "Contents" heading
    footer_lines = [p for p in layout.skipped if p.kind == "running_footer"]
    assert {p.page for p in footer_lines} == set(range(1, pages + 1))
    assert " ".join(p.text for p in footer_lines if p.page == 2) == PRIVACY_FOOTER


def test_pdf_layout_sections_are_headings_not_toc(layout: Document) -> None:
    headings = [b.text for b in layout.blocks if b.text.startswith("Section ")]
    assert headings == [
        "Section 1: Purpose",
        "Section 2: Definitions",
        "Section 3: Data management",
        "Section 4: Joint work",
    ]


def test_pdf_layout_every_paragraph_is_whole_sentences(layout: Document) -> None:
    """Paragraphs run across line and page breaks: each starts and ends a sentence."""
    paragraphs = [b.text for b in layout.blocks if b.kind == "paragraph"]
    assert len(paragraphs) > 20
    for text in paragraphs:
        assert _SENTENCE_START.match(text), text[:60]
        assert _SENTENCE_END.search(text), text[-60:]


def _flexible(word: str) -> re.Pattern[str]:
    """``word`` as pdfium may give it: any letter pair may be cut by a line-end hyphen mark."""
    parts = []
    for char in word:
        parts.append("[\\-\ufffe]" if char == "-" else re.escape(char))
    return re.compile("(?:\ufffe|\r?\n)?".join(parts))


def _broken_at_line_end(pdf_path: Path, word: str) -> int:
    """How often pdfium saw ``word`` cut at a line end (so the test means something)."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        texts = [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()
    return sum(len(_flexible(word).findall(t)) - t.count(word) for t in texts)


def _source_count(docx_path: Path, word: str) -> int:
    """Occurrences in the body of the source draft, soft hyphens removed, TOC left out."""
    import docx

    body = [p.text.replace("\u00ad", "") for p in docx.Document(str(docx_path)).paragraphs]
    return sum(t.count(word) for t in body if "\t" not in t)


@pytest.mark.parametrize(("word", "cut"), HYPHEN_WORDS, ids=[w for w, _ in HYPHEN_WORDS])
def test_pdf_layout_hyphenated_words_come_out_whole(
    folder: Path, layout: Document, word: str, cut: int | None
) -> None:
    assert layout.text.count(word) == _source_count(folder / "layout.docx", word)
    joined = word.replace("-", "")
    for k in range(2, len(joined) - 1):
        for wrong in (f"{joined[:k]} {joined[k:]}", f"{joined[:k]} - {joined[k:]}"):
            assert wrong not in layout.text
    if "-" in word:
        assert joined not in layout.text  # the compound keeps its hyphen


def test_pdf_layout_hyphen_fixture_really_breaks_words(layout_pdf: Path) -> None:
    broken = {word: _broken_at_line_end(layout_pdf, word) for word, _ in HYPHEN_WORDS}
    assert all(n > 0 for n in broken.values()), broken


@pytest.fixture(scope="module", params=[True, False], ids=["table", "section-columns"])
def bilingual(request: pytest.FixtureRequest, folder: Path) -> Document:
    name = "bilingual-table.docx" if request.param else "bilingual-columns.docx"
    return extract(_pdf(folder, build_bilingual_docx(folder / name, table=request.param)))


def test_pdf_layout_bilingual_columns_are_read_one_after_the_other(bilingual: Document) -> None:
    texts = [b.text for b in bilingual.blocks]
    english = [en for en, _ in BILINGUAL]
    norwegian = [nb for _, nb in BILINGUAL]
    assert [t for t in texts if t in english] == english  # headings apart, paragraphs whole
    assert [t for t in texts if t in norwegian] == norwegian
    assert texts.index(norwegian[0]) > texts.index(english[-1])


@pytest.fixture(scope="module")
def letters(folder: Path) -> dict[bool, Document]:
    built = {
        flag: build_letter_docx(folder / f"letter-{flag}.docx", letterhead=flag)
        for flag in (True, False)
    }
    return {flag: extract(_pdf(folder, path)) for flag, path in built.items()}


def test_pdf_layout_one_page_letterhead_is_skipped(letters: dict[bool, Document]) -> None:
    letter = letters[True]
    assert "GDPR" not in letter.text
    assert LETTERHEAD[1] not in letter.text
    assert {p.kind for p in letter.skipped} == {"letterhead"}
    assert LETTERHEAD[0] in [p.text for p in letter.skipped]
    assert letter.text == letters[False].text


def _quotes(report: Report) -> list[str]:
    quotes = [e.text for c in report.clauses for e in c.evidence]
    return quotes + [e.text for f in report.red_flags for e in f.evidence]


def test_pdf_layout_letterhead_privacy_footer_is_not_evidence(
    analyser_default, letters: dict[bool, Document]
) -> None:
    with_head = analyser_default.analyse_document(letters[True])
    without = analyser_default.analyse_document(letters[False])
    statuses = {c.id: c.status for c in with_head.clauses}
    assert statuses == {c.id: c.status for c in without.clauses}
    assert statuses["data_management"] != "present"
    assert with_head.document.skipped == {"letterhead": len(letters[True].skipped)}


def test_pdf_layout_quotes_are_whole_sentences_and_never_furniture(
    analyser_default, layout: Document
) -> None:
    report = analyser_default.analyse_document(layout)
    quotes = _quotes(report)
    assert quotes
    skipped = [p.text for p in layout.skipped]
    assert not [q for q in quotes if any(s in q or q in s for s in skipped)]
    whole = [q for q in quotes if _SENTENCE_START.match(q) and _SENTENCE_END.search(q)]
    assert len(whole) >= 0.95 * len(quotes), [q for q in quotes if q not in whole]
    assert "running header" in report.document.skipped_summary()
