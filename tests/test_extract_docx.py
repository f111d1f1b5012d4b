"""DOCX extraction on files made by python-docx and LibreOffice."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest
from docx_fixtures import (
    ACADEMIC_FREEDOM,
    ACADEMIC_FREEDOM_HEADING,
    COMMENT,
    CONTROLLED,
    FOOTER,
    FOOTNOTE,
    FRAME,
    HIDDEN_WAYS,
    INLINE_CONTROLLED,
    LETTERHEAD,
    TOC_LINES,
    build_content_controls_docx,
    build_converted_from_pdf,
    build_hidden_article_docx,
    build_writer_draft,
)
from extract_fixtures import (
    DOCX_FOOTER,
    DOCX_HEADER,
    LEGAL_LIST,
    build_agreement_docx,
    soffice,
)

from analyser.document import Document
from analyser.errors import CorruptDocument, UnsupportedFormat
from analyser.extract import extract, extract_bytes
from analyser.extract.docx import _format_number, extract_docx


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return extract(build_agreement_docx(tmp_path_factory.mktemp("docx") / "agreement.docx"))


def _block(doc: Document, text: str):  # noqa: ANN202 - Block, kept local to the tests
    return next(b for b in doc.blocks if b.text == text)


def test_document_metadata(agreement: Document) -> None:
    assert agreement.format == "docx"
    assert agreement.pages is None
    assert all(b.page is None for b in agreement.blocks)


def test_offsets_slice_the_text(agreement: Document) -> None:
    for block in agreement.blocks:
        assert agreement.text[block.start : block.end] == block.text


@pytest.mark.parametrize(
    ("text", "level"),
    [("Research Cooperation Agreement", 0), ("Definitions", 1), ("Obligations", 2)],
    ids=["title", "heading-1", "heading-2"],
)
def test_headings_by_style(agreement: Document, text: str, level: int) -> None:
    block = _block(agreement, text)
    assert (block.kind, block.level) == ("heading", level)


@pytest.mark.parametrize(
    ("text", "number"),
    [("Background IP", "1."), ("Results", "2."), ("Confidential Information", "3.")],
    ids=["first", "second", "third"],
)
def test_list_number_style_is_numbered(agreement: Document, text: str, number: str) -> None:
    block = _block(agreement, text)
    assert (block.kind, block.number) == ("list_item", number)
    assert number not in block.text


@pytest.mark.parametrize(
    ("text", "number"),
    [(text, number) for text, _, _, number in LEGAL_LIST],
    ids=[number + " " + text for text, _, _, number in LEGAL_LIST],
)
def test_multilevel_numbering_is_reconstructed(agreement: Document, text: str, number: str) -> None:
    assert _block(agreement, text).number == number


def test_table_cells_in_document_order(agreement: Document) -> None:
    cells = [b.text for b in agreement.blocks if b.kind == "table_cell"]
    # The vertically merged "Role" cell of rows 2-3 is emitted once (in row 2), holding both
    # texts: python-docx's merge moves the bottom cell's paragraph into the top cell.
    assert cells == [
        "Partner", "Country", "Role",
        "University of Oslo", "Norway", "Coordinator\nPartner",
        "Tsinghua University", "China",
    ]  # fmt: skip
    headings = [b.text for b in agreement.blocks]
    assert headings.index("Confidential Information") < headings.index("Partner")
    assert headings.index("China") < headings.index("Obligations")


def test_header_and_footer_are_furniture(agreement: Document) -> None:
    assert DOCX_HEADER not in agreement.text
    assert DOCX_FOOTER not in agreement.text
    furniture = {(b.kind, b.text.split(" - page")[0]) for b in agreement.furniture}
    assert furniture == {("header", DOCX_HEADER), ("footer", DOCX_FOOTER)}


def test_tracked_insertion_kept_and_deletion_dropped(agreement: Document) -> None:
    assert "The Parties shall comply with export-control law." in agreement.text
    assert "may " not in agreement.text


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (3, "decimal", "3"),
        (2, "lowerLetter", "b"),
        (28, "lowerLetter", "bb"),
        (4, "upperRoman", "IV"),
        (9, "lowerRoman", "ix"),
        (7, "decimalZero", "07"),
        (12, "ordinal", "12th"),
        (5, "someFutureFormat", "5"),
    ],
    ids=lambda v: str(v),
)
def test_number_formats(value: int, fmt: str, expected: str) -> None:
    assert _format_number(value, fmt) == expected


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_without_word_document_is_not_a_docx() -> None:
    data = _zip({"readme.txt": "hello"})
    with pytest.raises(CorruptDocument, match="not a DOCX: ZIP archive without word/document.xml"):
        extract_docx(data, name="x.docx", path="x.docx", sha256="0")
    with pytest.raises(CorruptDocument, match="not a DOCX"):
        extract_bytes(data, "x.docx")


def test_damaged_docx_part_is_corrupt() -> None:
    data = _zip({"word/document.xml": "<not xml", "[Content_Types].xml": "<broken"})
    with pytest.raises(CorruptDocument, match="damaged DOCX"):
        extract_bytes(data, "broken.docx")


def test_macro_enabled_docx_is_unsupported(tmp_path: Path) -> None:
    source = build_agreement_docx(tmp_path / "plain.docx").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(buffer, "w") as out:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"document.main+xml", b"document.macroEnabled.main+xml"
                ).replace(
                    b"wordprocessingml.document.macroEnabled", b"ms-word.document.macroEnabled"
                )
            out.writestr(item, content)
    with pytest.raises((UnsupportedFormat, CorruptDocument)):
        extract_bytes(buffer.getvalue(), "macro.docm")


def test_parser_messages_spanning_lines_become_one_line() -> None:
    """Found by fuzzing: lxml's message for a NUL in the XML ends in a newline."""
    sample = Path(__file__).resolve().parents[1] / "samples" / "dsa-hordafjord-lakeshore.docx"
    with zipfile.ZipFile(sample) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["word/document.xml"] = members["word/document.xml"].replace(b"<w:t", b"\x00<w:t", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(CorruptDocument) as raw:
        extract_docx(buffer.getvalue(), name="x.docx", path="x.docx", sha256="0")
    assert "\n" in raw.value.reason  # the library's own message spans lines ...
    with pytest.raises(CorruptDocument, match="damaged DOCX") as info:
        extract_bytes(buffer.getvalue(), "x.docx")
    assert "\n" not in str(info.value)  # ... and the extractor's answer does not


# --- every part of a DOCX (issue 14.1), on files LibreOffice wrote ---------------------------


@pytest.fixture(scope="module")
def writer_draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, list]:
    if not soffice():
        pytest.skip("LibreOffice not installed")
    path, expected = build_writer_draft(tmp_path_factory.mktemp("writer"))
    return extract(path), expected


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, list[str]]:
    if not soffice():
        pytest.skip("LibreOffice not installed")
    path, expected = build_converted_from_pdf(tmp_path_factory.mktemp("converted"))
    return extract(path), expected


def test_extract_docx_reads_every_part_once_in_reading_order(writer_draft) -> None:
    """Body, footnote after its paragraph, text frame after its anchor, endnote last: the
    blocks are exactly what a reader sees, each once (LibreOffice writes the frame twice, as a
    ``wps`` text box and its VML fallback)."""
    document, expected = writer_draft
    assert [(b.text, b.part) for b in document.blocks] == expected
    for text, _ in expected:
        assert document.text.count(text) == 1, text


def test_extract_docx_notes_are_footnote_blocks_with_their_mark(writer_draft) -> None:
    document, _ = writer_draft
    notes = {b.part: b for b in document.blocks if b.kind == "footnote"}
    assert set(notes) == {"footnote 1", "endnote i"}
    assert notes["footnote 1"].text == FOOTNOTE
    cited = next(b for b in document.blocks if b.text.startswith("The Parties shall manage"))
    assert document.blocks.index(notes["footnote 1"]) == document.blocks.index(cited) + 1


@pytest.mark.parametrize(
    ("kind", "text"),
    [("header", LETTERHEAD), ("footer", FOOTER), ("comment", COMMENT)],
    ids=["letterhead-header", "footer", "comment"],
)
def test_extract_docx_furniture_is_kept_apart(writer_draft, kind: str, text: str) -> None:
    document, _ = writer_draft
    assert text not in document.text
    assert any(b.kind == kind and text in b.text for b in document.furniture)


def test_extract_docx_fields_give_their_result_not_their_instruction(writer_draft) -> None:
    document, _ = writer_draft
    assert "printed on page 1 today" in document.text
    for instruction in ("PAGE", "TOC", "\\o"):
        assert instruction not in document.text


def test_extract_docx_table_of_contents_is_skipped(writer_draft) -> None:
    document, _ = writer_draft
    skipped = [s.text for s in document.skipped]
    assert skipped == ["Contents", *TOC_LINES]
    assert all(s.kind == "table_of_contents" for s in document.skipped)
    assert not any(b.text in skipped for b in document.blocks)


def test_extract_docx_converted_from_pdf_loses_no_text_box(converted) -> None:
    """One text box per line, anchored in one empty paragraph: every line read once, lines of
    one paragraph joined into it, headings (a larger size) kept apart."""
    document, expected = converted
    assert [b.text for b in document.blocks] == expected
    assert not document.hidden


def test_extract_docx_content_controls_are_read(tmp_path: Path) -> None:
    document = extract(build_content_controls_docx(tmp_path / "sdt.docx"))
    assert [b.text for b in document.blocks] == [
        "Article 9 Security",
        CONTROLLED,
        f"Done in {INLINE_CONTROLLED}.",
    ]


def test_extract_docx_hidden_text_box_is_hidden(writer_draft, tmp_path: Path) -> None:
    """LibreOffice's frame marked hidden (``wp:docPr/@hidden``, set with lxml: LibreOffice
    writes no hidden frames) is listed, not read."""
    document, _ = writer_draft

    def hide(name: str, content: bytes) -> list[tuple[str, bytes]]:
        if name == "word/document.xml":
            content = content.replace(b'name="Frame1"', b'name="Frame1" hidden="1"', 1)
        return [(name, content)]

    source = Path(document.path).read_bytes()
    hidden = extract_bytes(_rewrite(source, hide), "hidden-frame.docx")
    assert FRAME not in hidden.text
    assert [(h.reason, h.text) for h in hidden.hidden] == [("other", FRAME)]


# --- what a reader sees (issue 13.1) ---------------------------------------------------------


@pytest.mark.parametrize(("way", "reason"), list(HIDDEN_WAYS.items()), ids=list(HIDDEN_WAYS))
def test_extract_docx_hidden_article_is_not_text(tmp_path: Path, way: str, reason: str) -> None:
    document = extract(build_hidden_article_docx(tmp_path / f"{way}.docx", way))
    assert "Signed in two originals." in document.text
    if reason is None:
        assert ACADEMIC_FREEDOM in document.text
        assert document.hidden == []
        return
    assert "academic freedom" not in document.text.lower()
    assert {h.reason for h in document.hidden} == {reason}
    hidden = " ".join(" ".join(h.text for h in document.hidden).split())
    assert ACADEMIC_FREEDOM_HEADING in hidden and ACADEMIC_FREEDOM in hidden


def test_extract_docx_fallback_shown_when_choice_is_unknown(tmp_path: Path) -> None:
    document = extract(build_hidden_article_docx(tmp_path / "ac.docx", "alternate_content"))
    assert "Reserved." in document.text


# --- Strict OOXML and ambiguous containers (issue 13.3) --------------------------------------


def _rewrite(source: bytes, change) -> bytes:  # noqa: ANN001 - (name, bytes) -> list of members
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(buffer, "w") as out:
        for item in original.infolist():
            for name, content in change(item.filename, original.read(item.filename)):
                out.writestr(name, content)
    return buffer.getvalue()


def test_extract_docx_strict_ooxml_is_read(tmp_path: Path) -> None:
    """A python-docx agreement renamed to the Strict namespaces (what Word's "Strict Open XML
    Document" writes; no free tool saves Strict) reads exactly like the Transitional file."""
    transitional = build_agreement_docx(tmp_path / "t.docx").read_bytes()
    pairs = [
        (b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
         b"http://purl.oclc.org/ooxml/wordprocessingml/main"),
        (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
        (b"http://schemas.openxmlformats.org/drawingml/2006/main",
         b"http://purl.oclc.org/ooxml/drawingml/main"),
        (b"/officeDocument/relationships/extended-properties",
         b"/officeDocument/relationships/extendedProperties"),
    ]  # fmt: skip

    def to_strict(name: str, content: bytes) -> list[tuple[str, bytes]]:
        for old, new in pairs:
            content = content.replace(old, new)
        return [(name, content)]

    strict = _rewrite(transitional, to_strict)
    assert b"schemas.openxmlformats.org/wordprocessingml" not in strict
    read = extract_bytes(strict, "strict.docx")
    assert read.text == extract_bytes(transitional, "t.docx").text
    assert [b.number for b in read.blocks] == [
        b.number for b in extract_bytes(transitional, "t.docx").blocks
    ]


@pytest.mark.parametrize("same_case", [True, False], ids=["same-name", "other-case"])
def test_extract_docx_duplicate_member_is_refused(tmp_path: Path, same_case: bool) -> None:
    source = build_agreement_docx(tmp_path / "a.docx").read_bytes()
    second = "word/document.xml" if same_case else "Word/Document.xml"

    def duplicate(name: str, content: bytes) -> list[tuple[str, bytes]]:
        if name != "word/document.xml":
            return [(name, content)]
        return [(name, content), (second, content.replace(b"Definitions", b"Other terms"))]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        data = _rewrite(source, duplicate)
    with pytest.raises(CorruptDocument, match="two members named"):
        extract_bytes(data, "twice.docx")
