"""A generator of hostile and broken input files, each with the answer it must get.

Used by ``tests/test_hostile.py`` (library and real CLI) and by ``fuzz/fuzz_extract.py``. The
files are built here, from the shipped samples and by reportlab/python-docx or by hand where a
tool would refuse to write them, so the repository carries no binary fixtures (and no live
zip bomb). ``python tests/hostile_inputs.py DIR`` writes them all to DIR for manual runs.

Each :class:`Kind` says what must happen: a specific ``UnreadableDocument`` subclass with a
phrase of its one-line reason, or a report (a :class:`Document` whose text contains a phrase).
"""

from __future__ import annotations

import io
import random
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analyser import errors
from analyser.errors import UnreadableDocument

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SAMPLE_PDF = SAMPLES / "exchange-nordhavn-hanbit.pdf"
SAMPLE_DOCX = SAMPLES / "dsa-hordafjord-lakeshore.docx"
PHRASE = "The Parties shall cooperate in good faith on the research programme"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class Kind:
    """One kind of bad input and the answer it must get (``error=None``: a report)."""

    id: str
    filename: str
    build: Callable[[], bytes]
    error: type[UnreadableDocument] | None
    reason: str  # a phrase of the error's reason, or of the extracted text
    slow: bool = False


# --- helpers -----------------------------------------------------------------------------


def _noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), content, method)
    return buffer.getvalue()


def _docx_members() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLE_DOCX) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _docx_with(changes: dict[str, bytes | None]) -> Callable[[], bytes]:
    """The sample DOCX with members replaced or added (bytes) or removed (None)."""

    def build() -> bytes:
        members = _docx_members()
        for name, content in changes.items():
            if content is None:
                members.pop(name, None)
            else:
                members[name] = content
        return _zip(members)

    return build


def _document_xml(body: str, prolog: str = "") -> bytes:
    paragraphs = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in body.split("\n"))
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
        f'<w:document xmlns:w="{_W}"><w:body>{paragraphs}</w:body></w:document>'
    ).encode()


_AGREEMENT_LINES = [
    "1. Purpose",
    PHRASE + " described in Annex 1.",
    "2. Intellectual property",
    "Each Party retains ownership of its background intellectual property rights.",
    "3. Termination",
    "Either Party may terminate this Agreement with six months written notice.",
]


def _pdf(objects: list[bytes], *, xref: bool = True, offsets_shift: int = 0) -> bytes:
    """A hand-made PDF: objects numbered from 1, catalog = object 1; xref optionally wrong."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % (offset + offsets_shift)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % (start if xref else 0)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _text_content(lines: list[str]) -> bytes:
    ops = [b"BT /F1 11 Tf 72 740 Td 14 TL"]
    for line in lines:
        escaped = line.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + escaped + b") '")
    ops.append(b"ET")
    return b"\n".join(ops)


def _text_pdf(
    *, pages_extra: bytes = b"", catalog_extra: bytes = b"", tail: list[bytes] | None = None,
    xref: bool = True, offsets_shift: int = 0, kids: bytes = b"[3 0 R]", count: int = 1,
) -> bytes:  # fmt: skip
    content = _text_content(_AGREEMENT_LINES)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids " + kids + b" /Count %d " % count + pages_extra + b">>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(tail or []),
    ]
    return _pdf(objects, xref=xref, offsets_shift=offsets_shift)


def _flate_of_spaces(size_mib: int) -> bytes:
    """zlib data that inflates to ``size_mib`` MiB of spaces, built without compressing them.

    After a full flush deflate forgets its history, so every MiB compresses to the same bytes:
    one block is repeated and only the checksum is computed over the whole.
    """
    chunk = b" " * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeat = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()
    adler = 1
    for _ in range(size_mib):
        adler = zlib.adler32(chunk, adler)
    body = first + repeat * (size_mib - 1) + end
    return b"\x78\xda" + body + struct.pack(">I", adler)


# --- PDF builders ------------------------------------------------------------------------


def _truncated(path: Path, share: float) -> Callable[[], bytes]:
    return lambda: (data := path.read_bytes())[: int(len(data) * share)]


def _pdf_broken_xref() -> bytes:
    return _text_pdf(offsets_shift=7)


def _pdf_no_xref() -> bytes:
    return _text_pdf(xref=False)


def _pdf_nested_arrays() -> bytes:
    depth = 100_000
    return _text_pdf(catalog_extra=b"/Deep 6 0 R ", tail=[b"[" * depth + b"]" * depth])


def _pdf_nested_dicts() -> bytes:
    depth = 50_000
    return _text_pdf(pages_extra=b"/Deep " + b"<< /A " * depth + b"1" + b" >>" * depth + b" ")


def _pdf_page_count_lie() -> bytes:
    return _text_pdf(count=1_000_000)


def _pdf_self_referencing_pages() -> bytes:
    return _text_pdf(kids=b"[2 0 R 3 0 R]")


def _pdf_no_pages() -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def _pdf_huge_length() -> bytes:
    data = _text_pdf()
    return data.replace(b"<< /Length ", b"<< /Length 99999999", 1)


def _pdf_javascript() -> bytes:
    action = b"/OpenAction << /S /JavaScript /JS (app.alert\\('x'\\); while\\(true\\){}) >> "
    return _text_pdf(catalog_extra=action)


def _pdf_flate_bomb() -> bytes:
    """A content stream behind three Flate filters that inflates to 2 GiB (a few KB on disk)."""
    inner = _flate_of_spaces(2048)
    middle = zlib.compress(inner, 9)
    outer = zlib.compress(middle, 9)
    filters = b"/Filter [/FlateDecode /FlateDecode /FlateDecode] "
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        _stream(outer, filters),
    ]
    return _pdf(objects)


def _pdf_via_canvas(draw: Callable[[object], None], **kwargs: object) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, **kwargs)  # type: ignore[arg-type]
    draw(c)
    c.save()
    return buffer.getvalue()


def _pdf_many_pages(pages: int) -> Callable[[], bytes]:
    def draw(c: object) -> None:
        for n in range(pages):
            c.drawString(72, 720, f"Page {n + 1}: {PHRASE}.")  # type: ignore[attr-defined]
            c.showPage()  # type: ignore[attr-defined]

    return lambda: _pdf_via_canvas(draw, pageCompression=1)


def _pdf_image_only() -> bytes:
    def draw(c: object) -> None:
        for row in range(40):
            c.rect(60, 780 - row * 18, 400, 8, fill=1, stroke=0)  # type: ignore[attr-defined]
        c.showPage()  # type: ignore[attr-defined]

    return _pdf_via_canvas(draw)


def _pdf_scattered_words() -> bytes:
    rng = random.Random(8000)
    words = PHRASE.split()

    def draw(c: object) -> None:
        c.setFont("Helvetica", 6)  # type: ignore[attr-defined]
        for _ in range(8000):
            x, y = rng.uniform(10, 580), rng.uniform(10, 830)
            c.drawString(x, y, rng.choice(words))  # type: ignore[attr-defined]
        c.showPage()  # type: ignore[attr-defined]

    return _pdf_via_canvas(draw)


def _pdf_encrypted(user_password: str) -> Callable[[], bytes]:
    def build() -> bytes:
        from reportlab.lib import pdfencrypt

        encryption = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner-secret")

        def draw(c: object) -> None:
            text = c.beginText(60, 780)  # type: ignore[attr-defined]
            for line in _AGREEMENT_LINES:
                text.textLine(line)
            c.drawText(text)  # type: ignore[attr-defined]
            c.showPage()  # type: ignore[attr-defined]

        return _pdf_via_canvas(draw, encrypt=encryption)

    return build


# --- DOCX / ZIP builders -----------------------------------------------------------------


def _docx_zip_bomb() -> bytes:
    """word/document.xml that truly inflates to 1 GiB (about 1 MB compressed)."""
    members = _docx_members()
    members.pop("word/document.xml")
    body = _zip(members)
    return _append_raw_member(body, "word/document.xml", _flate_of_spaces(1024), 1 << 30)


def _docx_understated_bomb() -> bytes:
    """The same bomb, but the archive declares 10 KB: zipfile must stop at the declared size."""
    data = _docx_zip_bomb()
    return _patch_declared_size(data, "word/document.xml", 10_000)


def _docx_ratio_bomb() -> bytes:
    """A 64 MiB member of spaces (under the total limit) compressed 1000:1."""
    members = _docx_members()
    body = _zip(members)
    return _append_raw_member(body, "word/media/padding.xml", _flate_of_spaces(64), 64 << 20)


def _append_raw_member(archive: bytes, name: str, zlib_data: bytes, size: int) -> bytes:
    """Add a deflated member from ready-made zlib data (header and checksum stripped)."""
    raw = zlib_data[2:-4]
    crc = 0
    chunk = b" " * (1 << 20)
    for _ in range(size >> 20):
        crc = zlib.crc32(chunk, crc)
    out = archive
    # Rebuild the tail by hand: local header + raw data, then the central directory again.
    eocd = out.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", out, eocd + 16)[0]
    central = bytes(out[cd_offset:eocd])
    count = struct.unpack_from("<H", out, eocd + 10)[0]
    local_offset = cd_offset
    encoded = name.encode()
    local = (
        struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0
        )
        + encoded
    )
    entry = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
        len(encoded), 0, 0, 0, 0, 0, local_offset,
    ) + encoded  # fmt: skip
    head = bytes(out[:cd_offset]) + local + raw
    new_central = central + entry
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, count + 1, count + 1, len(new_central), len(head), 0
    )
    return head + new_central + end


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Overwrite a member's uncompressed size in its local header and central entry."""
    out = bytearray(data)
    encoded = name.encode()
    # (signature, offset of the size field, of the name length, of the name)
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30),
                                                   (b"PK\x01\x02", 24, 28, 46)):  # fmt: skip
        at = out.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", out, at + length_at)[0]
            if bytes(out[at + name_at : at + name_at + length]) == encoded:
                struct.pack_into("<I", out, at + size_at, size)
            at = out.find(signature, at + 4)
    return bytes(out)


def _zip_many_members() -> bytes:
    members = _docx_members()
    members.update({f"customXml/item{n}.bin": b"" for n in range(20_000)})
    return _zip(members, zipfile.ZIP_STORED)


def _zip_count_lie() -> bytes:
    """The end-of-central-directory record claims 65,535 members (ZIP64: 4 billion)."""
    data = bytearray(SAMPLE_DOCX.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, eocd + 8, 0xFFFF, 0xFFFF)
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    zip64 = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 4_000_000_000, 4_000_000_000,
        cd_size, cd_offset,
    )  # fmt: skip
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, eocd, 1)
    return bytes(data[:eocd]) + zip64 + locator + bytes(data[eocd:])


_XXE = (
    '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    "&xxe;",
)
_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>\n",
    "&lol9;",
)


def _docx_entity(prolog_and_ref: tuple[str, str], part: str = "document") -> Callable[[], bytes]:
    prolog, ref = prolog_and_ref
    xml = _document_xml(PHRASE + " " + ref, prolog)
    if part == "document":
        return _docx_with({"word/document.xml": xml})
    rels = _docx_members()["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("?>", "?>\n" + prolog, 1)
    return _docx_with({"word/_rels/document.xml.rels": rels.encode()})


def _docx_xxe_utf16() -> bytes:
    xml = _document_xml(PHRASE + " &xxe;", _XXE[0]).decode().replace("UTF-8", "UTF-16")
    return _docx_with({"word/document.xml": xml.encode("utf-16")})()


def _docx_utf7() -> bytes:
    xml = _document_xml(PHRASE).decode().replace("UTF-8", "UTF-7")
    return _docx_with({"word/document.xml": xml.encode()})()


def _docx_images_only() -> bytes:
    return _docx_with({"word/document.xml": _document_xml("   ")})()


def _docx_macro() -> bytes:
    members = _docx_members()
    types = members["[Content_Types].xml"].decode()
    types = types.replace(
        "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml"
    )
    members["[Content_Types].xml"] = types.encode()
    return _zip(members)


def _docx_unsafe_name(name: str) -> Callable[[], bytes]:
    def build() -> bytes:
        members = _docx_members()
        members[name] = b"#!/bin/sh\necho owned\n"
        return _zip(members)

    return build


def _xlsx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def _ole2(extra: bytes = b"") -> Callable[[], bytes]:
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return lambda: header + bytes(512 - len(header)) + extra + _noise(4096, 97)


# --- text builders -----------------------------------------------------------------------


def _agreement_text() -> str:
    return "\n\n".join(_AGREEMENT_LINES) + "\n"


KINDS: list[Kind] = [
    # empty and noise
    Kind("zero-bytes", "empty.pdf", lambda: b"", errors.CorruptDocument, "empty file"),
    Kind("random-bytes", "noise.pdf", lambda: _noise(65536, 1), errors.CorruptDocument,
         "binary file, not text"),
    Kind("text-with-nul-bytes", "nul.txt", lambda: b"agreement\x00\x01\x02" * 500,
         errors.CorruptDocument, "binary file"),
    Kind("whitespace-only", "blank.txt", lambda: b" \n\t\r\n \n", errors.NoTextLayer,
         "contains no text"),
    # PDF
    Kind("pdf-header-then-noise", "header.pdf", lambda: b"%PDF-1.7\n" + _noise(8192, 2),
         errors.CorruptDocument, "corrupt or truncated PDF"),
    Kind("pdf-header-only", "only-header.pdf", lambda: b"%PDF-1.4\n", errors.CorruptDocument,
         "corrupt or truncated PDF"),
    Kind("pdf-truncated-half", "truncated.pdf", _truncated(SAMPLE_PDF, 0.5),
         errors.CorruptDocument, "corrupt or truncated PDF"),
    Kind("pdf-broken-xref", "xref.pdf", _pdf_broken_xref, None, PHRASE),
    Kind("pdf-no-xref", "no-xref.pdf", _pdf_no_xref, None, PHRASE),
    Kind("pdf-deeply-nested-arrays", "nested-arrays.pdf", _pdf_nested_arrays, None, PHRASE),
    Kind("pdf-deeply-nested-dicts", "nested-dicts.pdf", _pdf_nested_dicts, None, PHRASE),
    # pdfium believes /Count, and a PDF that lies about its size is refused rather than trusted
    Kind("pdf-page-count-lie", "count-lie.pdf", _pdf_page_count_lie, errors.DocumentTooLarge,
         "1,000,000 pages"),
    Kind("pdf-self-referencing-pages", "loop.pdf", _pdf_self_referencing_pages, None, PHRASE),
    Kind("pdf-no-pages", "no-pages.pdf", _pdf_no_pages, errors.CorruptDocument,
         "corrupt"),  # pdfium's error code here depends on earlier failures in the process
    Kind("pdf-huge-stream-length", "length.pdf", _pdf_huge_length, None, PHRASE),
    Kind("pdf-javascript-openaction", "js.pdf", _pdf_javascript, None, PHRASE),
    Kind("pdf-2000-pages", "long.pdf", _pdf_many_pages(2000), errors.DocumentTooLarge,
         "2,000 pages"),
    Kind("pdf-image-only", "scan.pdf", _pdf_image_only, errors.NoTextLayer, "no text layer"),
    Kind("pdf-8000-scattered-words", "scattered.pdf", _pdf_scattered_words, None, "Parties"),
    Kind("pdf-encrypted-user-password", "locked.pdf", _pdf_encrypted("secret"),
         errors.EncryptedDocument, "encrypted PDF"),
    Kind("pdf-encrypted-owner-only", "owner.pdf", _pdf_encrypted(""), None, PHRASE),
    Kind("pdf-nested-flate-bomb", "bomb.pdf", _pdf_flate_bomb, errors.ParserOutOfMemory,
         "out of memory"),
    Kind("pdf-named-docx", "agreement.docx", SAMPLE_PDF.read_bytes, None, "Agreement"),
    # DOCX / ZIP
    Kind("docx-truncated-half", "truncated.docx", _truncated(SAMPLE_DOCX, 0.5),
         errors.CorruptDocument, "corrupt ZIP/DOCX container"),
    Kind("docx-zip-bomb", "bomb.docx", _docx_zip_bomb, errors.DocumentTooLarge, "zip bomb"),
    Kind("docx-understated-zip-bomb", "liar.docx", _docx_understated_bomb,
         errors.CorruptDocument, "Bad CRC-32"),
    Kind("docx-compression-ratio", "ratio.docx", _docx_ratio_bomb, errors.DocumentTooLarge,
         "expands"),
    Kind("docx-external-entity", "xxe.docx", _docx_entity(_XXE), errors.UnsupportedFormat,
         "DTD/entity declaration"),
    Kind("docx-billion-laughs", "laughs.docx", _docx_entity(_LAUGHS), errors.UnsupportedFormat,
         "DTD/entity declaration"),
    Kind("docx-entity-in-rels", "rels.docx", _docx_entity(_XXE, "rels"),
         errors.UnsupportedFormat, "DTD/entity declaration"),
    Kind("docx-entity-utf16", "utf16.docx", _docx_xxe_utf16, errors.UnsupportedFormat,
         "DTD/entity declaration"),
    Kind("docx-utf7-encoding", "utf7.docx", _docx_utf7, errors.UnsupportedFormat, "UTF-7"),
    Kind("docx-missing-document-xml", "hollow.docx",
         _docx_with({"word/document.xml": None}), errors.CorruptDocument,
         "without word/document.xml"),
    Kind("docx-malformed-xml", "malformed.docx",
         _docx_with({"word/document.xml": b"<w:document><w:body>"}), errors.CorruptDocument,
         "damaged DOCX"),
    Kind("docx-images-only", "pictures.docx", _docx_images_only, errors.NoTextLayer,
         "contains no text"),
    Kind("docx-macro-enabled", "macro.docx", _docx_macro, errors.UnsupportedFormat,
         "macro-enabled"),
    Kind("zip-dotdot-name", "slip.docx", _docx_unsafe_name("../../evil.sh"),
         errors.CorruptDocument, "unsafe name"),
    Kind("zip-absolute-name", "absolute.docx", _docx_unsafe_name("/etc/cron.d/evil"),
         errors.CorruptDocument, "unsafe name"),
    Kind("zip-20000-members", "members.docx", _zip_many_members, errors.DocumentTooLarge,
         "members"),
    Kind("zip-member-count-lie", "count.docx", _zip_count_lie, errors.DocumentTooLarge,
         "members"),
    Kind("docx-named-pdf", "agreement.pdf", SAMPLE_DOCX.read_bytes, None, "Agreement"),
    Kind("xlsx-named-docx", "sheet.docx", _xlsx, errors.UnsupportedFormat, "Excel"),
    # other formats
    Kind("doc-word97-ole2", "legacy.doc", _ole2(), errors.UnsupportedFormat, "Word 97"),
    Kind("docx-password-protected-ole2", "protected.docx",
         _ole2("EncryptedPackage".encode("utf-16-le")), errors.EncryptedDocument,
         "password-protected Word"),
    Kind("rtf", "agreement.rtf", lambda: b"{\\rtf1\\ansi " + PHRASE.encode() + b"}",
         errors.UnsupportedFormat, "RTF"),
    Kind("html-named-pdf", "page.pdf",
         lambda: b"<!DOCTYPE html><html><body><p>" + PHRASE.encode() + b"</p></body></html>",
         errors.UnsupportedFormat, "HTML"),
    Kind("png-named-pdf", "image.pdf", lambda: b"\x89PNG\r\n\x1a\n" + _noise(1024, 3),
         errors.UnsupportedFormat, "PNG"),
    Kind("gzip-named-txt", "archive.txt", lambda: b"\x1f\x8b\x08" + _noise(512, 4),
         errors.UnsupportedFormat, "gzip"),
    # text encodings and size
    Kind("utf16-le-without-bom", "utf16.txt", lambda: _agreement_text().encode("utf-16-le"),
         None, PHRASE),
    Kind("utf16-be-with-bom", "utf16be.txt", lambda: _agreement_text().encode("utf-16"),
         None, PHRASE),
    Kind("cp1252-nordic", "nordisk.txt",
         lambda: (_agreement_text() + "Partene skal samarbeide om forskning på sjøen.\n")
         .encode("cp1252"), None, "på sjøen"),
    Kind("text-50mb-single-line", "oneline.txt", lambda: b"a" * (50 << 20),
         errors.DocumentTooLarge, "characters"),
]  # fmt: skip


def write_all(directory: Path, kinds: list[Kind] | None = None) -> dict[str, Path]:
    """Write every kind's file into ``directory/<id>/<filename>``; return id -> path."""
    paths = {}
    for kind in kinds or KINDS:
        path = directory / kind.id / kind.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(kind.build())
        paths[kind.id] = path
    return paths


def _check_unique() -> None:
    ids = [k.id for k in KINDS]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


_check_unique()

if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-inputs")
    for kind_id, written in write_all(target).items():
        print(f"{kind_id:32} {written}")
