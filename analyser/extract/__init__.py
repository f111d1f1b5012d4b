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
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from analyser.document import Document
from analyser.errors import (
    AnalyserError,
    CorruptDocument,
    DocumentTooLarge,
    EncryptedDocument,
    FileNotFound,
    NotARegularFile,
    UnreadableDocument,
    UnsupportedFormat,
)
from analyser.extract.container import check_zip
from analyser.limits import Limits, describe

_NOT_REGULAR = "not a regular file (a device, FIFO or socket)"

__all__ = ["MAX_FILE_BYTES", "extract", "extract_bytes", "sniff_format"]

# Kept for callers that read it; the limit itself lives in analyser.limits.Limits.
MAX_FILE_BYTES = Limits().max_file_bytes

# pdfminer logs page content at DEBUG (and the others may log parts of a document); agreements
# are confidential, so their text must never reach a log even when the application turns on
# DEBUG logging globally.
QUIET_LOGGERS = ("pdfminer", "pdfplumber", "pypdfium2", "docx", "PIL", "reportlab")
for _name in QUIET_LOGGERS:
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
# Word's password protection wraps the DOCX in an OLE2 file with this stream (UTF-16 name).
_OLE2_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# HTML saved or downloaded under a document name; tolerates a BOM and leading blank lines.
_HTML_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I)
# One file, two documents: a PDF reader and Word would each show their own, and the analysis
# could only ever describe one of them.
_POLYGLOT = (
    "file is both a PDF and a ZIP/DOCX archive (a polyglot); refused — a PDF reader and Word "
    "would show different documents"
)
# The PDF header may follow a few bytes of junk; readers accept it within the first KiB.
_PDF_HEADER_WINDOW = 1024


def sniff_format(data: bytes, path: str | None = None, limits: Limits | None = None) -> str:
    """Return ``"pdf"``, ``"docx"`` or ``"txt"`` from the leading bytes, or raise.

    Only ZIP archives are opened, and only after their central directory passed the limits of
    :func:`analyser.extract.container.check_zip`; everything else is decided on magic numbers.
    Text is the fallback, and the text decoder refuses binary noise.
    """
    if not data:
        raise CorruptDocument("empty file", path)
    pdf_header = b"%PDF-" in data[:_PDF_HEADER_WINDOW]
    if data.startswith(_ZIP_MAGICS):
        if pdf_header:  # e.g. a DOCX whose first member is a complete, stored PDF
            raise UnsupportedFormat(_POLYGLOT, path)
        _check_docx_zip(data, path, limits or Limits())
        return "docx"
    if pdf_header:
        if _zip_appended(data):
            raise UnsupportedFormat(_POLYGLOT, path)
        return "pdf"
    if data.startswith(_OLE2_MAGIC):
        if _OLE2_ENCRYPTED in data:
            raise EncryptedDocument(
                "password-protected Word file — remove the password and save as .docx", path
            )
        raise UnsupportedFormat(
            "legacy Word 97 .doc is not supported — save it as .docx or PDF", path
        )
    for magic, reason in _OTHER_MAGICS:
        if data.startswith(magic):
            raise UnsupportedFormat(reason, path)
    if _HTML_RE.match(data[:_PDF_HEADER_WINDOW]):
        raise UnsupportedFormat("HTML page, not a document — save it as PDF or .docx", path)
    return "txt"


def _zip_appended(data: bytes) -> bool:
    """A ZIP archive a ZIP reader would find at the end of this (PDF) file.

    ZIP readers look for the end-of-central-directory record in the last 64 KiB and accept data
    before the archive, so a PDF with a DOCX appended opens in Word too. Four stray bytes in a
    compressed stream do not count: the central directory they point to must parse and list
    at least one member.
    """
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if at < 0:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False


def _check_docx_zip(data: bytes, path: str | None, limits: Limits) -> None:
    """Raise unless the ZIP is safe and holds a Word body; name the sibling format if any."""
    names = check_zip(data, limits, path)
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


def extract_bytes(
    data: bytes, name: str, *, path: str | None = None, limits: Limits | None = None
) -> Document:
    """Extract an in-memory upload; ``name`` is only used in messages and the report.

    Runs in the calling process: use :func:`analyser.isolation.extract_isolated_bytes` for
    untrusted input, which adds the time and memory limits of a separate process.
    """
    limits = limits or Limits()
    where = path if path is not None else name
    if len(data) > limits.max_file_bytes:
        raise DocumentTooLarge(_too_large(len(data), limits), where)
    fmt = sniff_format(data, where, limits)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        document = _extractor(fmt)(data, name=name, path=where, sha256=sha256, limits=limits)
        if fmt == "docx":  # pending tracked changes: also read the draft as it was before
            from analyser.extract.revisions import read_revisions

            document.revisions = read_revisions(data, document, limits=limits)
    except AnalyserError as e:
        if e.reason == _one_line(e.reason):
            raise
        # Library messages (lxml's above all) may span lines; the edges promise one line.
        raise type(e)(_one_line(e.reason), e.path) from e
    except MemoryError:
        raise  # the isolation layer reports it as "ran out of memory"
    except RecursionError as e:
        raise CorruptDocument(f"{fmt.upper()} is nested too deeply to read", where) from e
    except Exception as e:  # noqa: BLE001 - the contract is: no third-party exception escapes
        raise CorruptDocument(f"could not read {fmt.upper()}: {type(e).__name__}", where) from e
    if len(document.text) > limits.max_chars:
        raise DocumentTooLarge(_too_many_chars(len(document.text), limits), where)
    return document


def extract(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Document:
    """Extract a file from disk; the size is checked before a single byte is read."""
    limits = limits or Limits()
    where = str(path)
    file = Path(path)
    size = check_file(file, limits)
    try:
        data = _read_regular(file, limits)
    except OSError as e:
        raise UnreadableDocument(f"cannot read file: {e.strerror or e}", where) from e
    if len(data) > size and len(data) > limits.max_file_bytes:  # grew since stat()
        raise DocumentTooLarge(_too_large(len(data), limits), where)
    return extract_bytes(data, file.name, path=where, limits=limits)


def check_file(file: Path, limits: Limits) -> int:
    """The checks that need no byte of the file: it exists, is a file, is not too large."""
    where = str(file)
    try:
        info = file.stat()
        size, mode = info.st_size, info.st_mode
    except FileNotFoundError as e:
        raise FileNotFound("file not found", where) from e
    except OSError as e:
        raise UnreadableDocument(f"cannot access file: {e.strerror or e}", where) from e
    if file.is_dir():
        raise FileNotFound("is a directory, not a file", where)
    if not stat.S_ISREG(mode):
        raise NotARegularFile(_NOT_REGULAR, where)
    if size > limits.max_file_bytes:
        raise DocumentTooLarge(_too_large(size, limits), where)
    return size


def _read_regular(file: Path, limits: Limits) -> bytes:
    """Read a file that :func:`check_file` passed, refusing it if it changed into a device.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer, and the
    ``fstat`` of the open descriptor closes the gap between the check and the read (a file
    swapped for a FIFO or ``/dev/zero`` in between). At most ``max_file_bytes + 1`` is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(file, flags)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(_NOT_REGULAR, str(file))
        return fh.read(limits.max_file_bytes + 1)


def _one_line(reason: str) -> str:
    return " ".join(reason.split())


def _too_large(size: int, limits: Limits) -> str:
    limit = describe(limits.max_file_bytes, "bytes")
    return f"file is {size / 2**20:.1f} MB; the limit is {limit}B"


def _too_many_chars(chars: int, limits: Limits) -> str:
    return f"document has {chars:,} characters of text; the limit is {limits.max_chars:,}"
