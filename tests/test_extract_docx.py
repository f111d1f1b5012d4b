"""DOCX extraction on files made by python-docx."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from extract_fixtures import DOCX_FOOTER, DOCX_HEADER, LEGAL_LIST, build_agreement_docx

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
