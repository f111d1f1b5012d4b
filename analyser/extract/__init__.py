"""Extraction stage: turn a PDF, DOCX or text file into a :class:`~analyser.document.Document`.

The format is sniffed from the bytes, never from the file name: drafts are renamed, mailed
and downloaded with wrong or missing extensions, and an extension cannot tell a DOCX from any
other ZIP. Every failure becomes one of the errors in :mod:`analyser.errors` with a one-line
reason, so the CLI and the web layer never see a third-party exception.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from analyser.document import Document
from analyser.errors import (
    AnalyserError,
    CorruptDocument,
    DocumentTooLarge,
    FileNotFound,
    UnreadableDocument,
    UnsupportedFormat,
)

__all__ = ["MAX_FILE_BYTES", "extract", "extract_bytes", "sniff_format"]

# Larger than any real agreement (hundreds of pages of scanned annexes stay below this), small
# enough that one upload cannot exhaust the memory of the web worker.
MAX_FILE_BYTES = 100 * 1024 * 1024

# pdfminer logs page content at DEBUG; agreements are confidential, so their text must never
# reach a log even when the application turns on DEBUG logging globally.
for _name in ("pdfminer", "pdfplumber"):
    _logger = logging.getLogger(_name)
    if _logger.getEffectiveLevel() < logging.WARNING:
        _logger.setLevel(logging.WARNING)

_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Other binary formats people upload by mistake; naming them beats "binary file, not text".
_OTHER_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"{\\rtf", "RTF is not supported — save it as .docx or PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image, not a document — run OCR first"),
    (b"\xff\xd8\xff", "JPEG image, not a document — run OCR first"),
    (b"GIF8", "GIF image, not a document"),
    (b"II*\x00", "TIFF image, not a document — run OCR first"),
    (b"MM\x00*", "TIFF image, not a document — run OCR first"),
    (b"\x1f\x8b", "gzip archive, not a document"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive, not a document"),
    (b"Rar!", "RAR archive, not a document"),
)
# Members that identify OOXML/ODF siblings of DOCX, for a precise "unsupported" message.
_ZIP_SIBLINGS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "Excel workbook (.xlsx) is not supported — save it as .docx or PDF"),
    ("ppt/presentation.xml", "PowerPoint file (.pptx) is not supported — save it as PDF"),
    ("content.xml", "OpenDocument file (.odt) is not supported — save it as .docx or PDF"),
)
# The PDF header may follow a few bytes of junk; readers accept it within the first KiB.
_PDF_HEADER_WINDOW = 1024


def sniff_format(data: bytes, path: str | None = None) -> str:
    """Return ``"pdf"``, ``"docx"`` or ``"txt"`` from the leading bytes, or raise.

    Only ZIP archives are opened (to look for ``word/document.xml``); everything else is
    decided on magic numbers. Text is the fallback, and the text decoder refuses binary noise.
    """
    if not data:
        raise CorruptDocument("empty file", path)
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGICS):
        _check_docx_zip(data, path)
        return "docx"
    if data.startswith(_OLE2_MAGIC):
        raise UnsupportedFormat(
            "legacy Word 97 .doc is not supported — save it as .docx or PDF", path
        )
    for magic, reason in _OTHER_MAGICS:
        if data.startswith(magic):
            raise UnsupportedFormat(reason, path)
    return "txt"


def _check_docx_zip(data: bytes, path: str | None) -> None:
    """Raise unless the ZIP holds a Word body; name the sibling format when there is one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CorruptDocument(f"corrupt ZIP/DOCX container: {e}", path) from e
    if "word/document.xml" in names:
        return
    for member, reason in _ZIP_SIBLINGS:
        if member in names:
            raise UnsupportedFormat(reason, path)
    raise CorruptDocument("not a DOCX: ZIP archive without word/document.xml", path)


def _extractor(fmt: str) -> Callable[..., Document]:
    """Import lazily: a text-only run should not pay for loading pdfium or python-docx."""
    if fmt == "pdf":
        from analyser.extract.pdf import extract_pdf

        return extract_pdf
    if fmt == "docx":
        from analyser.extract.docx import extract_docx

        return extract_docx
    from analyser.extract.text import extract_text

    return extract_text


def extract_bytes(data: bytes, name: str, *, path: str | None = None) -> Document:
    """Extract an in-memory upload; ``name`` is only used in messages and the report."""
    where = path if path is not None else name
    if len(data) > MAX_FILE_BYTES:
        raise DocumentTooLarge(_too_large(len(data)), where)
    fmt = sniff_format(data, where)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        return _extractor(fmt)(data, name=name, path=where, sha256=sha256)
    except AnalyserError:
        raise
    except Exception as e:  # noqa: BLE001 - the contract is: no third-party exception escapes
        raise CorruptDocument(f"could not read {fmt.upper()}: {type(e).__name__}", where) from e


def extract(path: str | os.PathLike[str]) -> Document:
    """Extract a file from disk; the size is checked before a single byte is read."""
    where = str(path)
    file = Path(path)
    try:
        size = file.stat().st_size
    except FileNotFoundError as e:
        raise FileNotFound("file not found", where) from e
    except OSError as e:
        raise UnreadableDocument(f"cannot access file: {e.strerror or e}", where) from e
    if file.is_dir():
        raise FileNotFound("is a directory, not a file", where)
    if size > MAX_FILE_BYTES:
        raise DocumentTooLarge(_too_large(size), where)
    try:
        data = file.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"cannot read file: {e.strerror or e}", where) from e
    return extract_bytes(data, file.name, path=where)


def _too_large(size: int) -> str:
    return f"file is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB"
