"""Format sniffing, size limits and error wrapping in ``analyser.extract``."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from pathlib import Path

import pytest
from extract_fixtures import build_agreement_docx, build_agreement_pdf

import analyser.extract as extraction
from analyser.errors import (
    CorruptDocument,
    DocumentTooLarge,
    FileNotFound,
    UnsupportedFormat,
)
from analyser.extract import extract, extract_bytes, sniff_format
from analyser.limits import Limits


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sniff")
    return {
        "pdf": build_agreement_pdf(root / "a.pdf"),
        "docx": build_agreement_docx(root / "a.docx"),
    }


@pytest.mark.parametrize(
    ("kind", "misleading_name"),
    [("pdf", "agreement.docx"), ("docx", "agreement.pdf"), ("pdf", "agreement")],
    ids=["pdf-named-docx", "docx-named-pdf", "pdf-without-extension"],
)
def test_format_comes_from_bytes_not_name(
    files: dict[str, Path], tmp_path: Path, kind: str, misleading_name: str
) -> None:
    renamed = tmp_path / misleading_name
    renamed.write_bytes(files[kind].read_bytes())
    doc = extract(renamed)
    assert doc.format == kind
    assert doc.name == misleading_name
    assert doc.path == str(renamed)


def test_sha256_is_of_the_bytes(files: dict[str, Path]) -> None:
    data = files["pdf"].read_bytes()
    assert extract(files["pdf"]).sha256 == hashlib.sha256(data).hexdigest()


def test_text_is_the_fallback() -> None:
    assert sniff_format(b"1. Purpose\n") == "txt"
    assert sniff_format(b"\n\n  %PDF-1.7 after junk") == "pdf"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFound, match="file not found") as info:
        extract(tmp_path / "nope.pdf")
    assert info.value.path == str(tmp_path / "nope.pdf")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFound, match="is a directory"):
        extract(tmp_path)


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (b"", CorruptDocument, "empty file"),
        (
            bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512,
            UnsupportedFormat,
            "legacy Word 97 .doc is not supported — save it as .docx or PDF",
        ),
        (b"{\\rtf1\\ansi Hello}", UnsupportedFormat, "RTF is not supported"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, UnsupportedFormat, "PNG image"),
        (
            _zip("readme.txt"),
            CorruptDocument,
            "not a DOCX: ZIP archive without word/document.xml",
        ),
        (_zip("xl/workbook.xml"), UnsupportedFormat, "Excel workbook"),
        (_zip("mimetype", "content.xml"), UnsupportedFormat, "OpenDocument"),
        (b"PK\x03\x04 truncated zip", CorruptDocument, "corrupt ZIP/DOCX container"),
        (bytes(range(256)) * 8, CorruptDocument, "binary file, not text"),
        (b"%PDF-1.7\n garbage only", CorruptDocument, "corrupt or truncated PDF"),
    ],
    ids=[
        "empty", "ole2-doc", "rtf", "png", "plain-zip", "xlsx", "odt", "broken-zip",
        "binary-noise", "pdf-header-only",
    ],
)  # fmt: skip
def test_refused_inputs_have_one_line_reasons(
    tmp_path: Path, data: bytes, error: type[Exception], reason: str
) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with pytest.raises(error) as info:
        extract(path)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(error):
        extract_bytes(data, "upload.bin")


def test_size_limit_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("file was read"))
    with pytest.raises(DocumentTooLarge, match="the limit is 1K"):
        extract(path, limits=Limits(max_file_bytes=1024))


def test_size_limit_for_uploads() -> None:
    with pytest.raises(DocumentTooLarge):
        extract_bytes(b"x" * 11, "upload.txt", limits=Limits(max_file_bytes=10))


def test_third_party_exceptions_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(data: bytes, **_: str) -> None:
        raise ValueError("library internals")

    monkeypatch.setattr(extraction, "_extractor", lambda fmt: explode)
    with pytest.raises(CorruptDocument, match="could not read TXT: ValueError") as info:
        extract_bytes(b"hello", "a.txt")
    assert isinstance(info.value.__cause__, ValueError)


@pytest.mark.parametrize("name", extraction.QUIET_LOGGERS, ids=str)
def test_pdf_library_loggers_do_not_log_document_text(name: str) -> None:
    assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING


def _pdf_first_docx(pdf: bytes, docx: bytes) -> bytes:
    """A DOCX whose first ZIP member is a complete PDF, stored uncompressed: the bytes start
    with "PK" and carry "%PDF-" within the first KiB, so Word and a PDF reader both open it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as original, zipfile.ZipFile(buffer, "w") as out:
        out.writestr(zipfile.ZipInfo("a.pdf"), pdf, compress_type=zipfile.ZIP_STORED)
        for item in original.infolist():
            out.writestr(item, original.read(item.filename))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_pdf_first_docx, id="docx-whose-first-member-is-a-pdf"),
        pytest.param(lambda pdf, docx: pdf + docx, id="pdf-with-docx-appended"),
    ],
)
def test_extract_polyglot_is_refused(files: dict[str, Path], build) -> None:  # noqa: ANN001
    data = build(files["pdf"].read_bytes(), files["docx"].read_bytes())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # a ZIP reader finds the DOCX ...
        assert "word/document.xml" in archive.namelist()
    assert b"%PDF-" in data[:1024]  # ... and a PDF reader finds the PDF
    with pytest.raises(UnsupportedFormat, match="polyglot"):
        extract_bytes(data, "agreement.docx")


def test_extract_pdf_with_stray_zip_signature_is_still_a_pdf(files: dict[str, Path]) -> None:
    """Four bytes that look like a ZIP end record are not an archive: nothing parses there."""
    data = files["pdf"].read_bytes() + b"\n% PK\x05\x06 is not a ZIP\n"
    assert sniff_format(data) == "pdf"
