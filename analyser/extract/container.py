"""Checks on a ZIP (DOCX) container made before python-docx or lxml see a byte of it.

Why before: python-docx reads every member into memory and lxml parses whatever XML it is
given, so a 2 MB archive declaring 1 GB, a million members or an XML part with a DOCTYPE
(external entities, "billion laughs") must be refused on the central directory and the first
bytes of each part, which cost microseconds to read.

Declared sizes are trustworthy as an upper bound: :mod:`zipfile` (which python-docx uses) stops
decompressing a member at its declared size and then fails the CRC check, so an archive that
understates its sizes gets a "damaged" error rather than more memory.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Mapping

from analyser.errors import CorruptDocument, DocumentTooLarge, UnsupportedFormat
from analyser.limits import Limits, describe

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
# Members smaller than this are never called bombs: tiny XML parts of repeated markup compress
# far better than 200:1 without being dangerous.
_RATIO_FLOOR = 1024 * 1024
# A real OOXML prolog is "<?xml ...?>" (~60 bytes). Reading this much of each part is enough
# to see where the root element starts; a longer prolog is itself suspicious.
_PROLOG_BYTES = 64 * 1024
# Encodings Word and LibreOffice write; others (UTF-7, EBCDIC) could hide "<!DOCTYPE" from a
# byte-level check while libxml2 still decodes it.
_SAFE_ENCODINGS = frozenset(
    {"utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii",
     "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252"}
)  # fmt: skip
_UNSUPPORTED = "\x00unsupported encoding"
_ENCODING_RE = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def zip_member_count(data: bytes) -> int | None:
    """Entry count declared in the end-of-central-directory record (ZIP64 aware).

    Read by hand because :class:`zipfile.ZipFile` builds an object per entry before anyone can
    look at the count. None when there is no such record (the ZIP is then damaged).
    """
    start = max(0, len(data) - _EOCD_SIZE - _MAX_COMMENT)
    at = data.rfind(_EOCD, start)
    if at < 0 or at + _EOCD_SIZE > len(data):
        return None
    count = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
        offset = struct.unpack_from("<Q", data, locator + 8)[0]
        if offset + 56 <= len(data) and data[offset : offset + 4] == _EOCD64:
            count = struct.unpack_from("<Q", data, offset + 32)[0]
    return int(count)


def replace_members(data: bytes, replaced: Mapping[str, bytes]) -> bytes:
    """The same archive with the ``replaced`` members' bytes swapped in (deflated) and any of
    them the archive lacks appended; every other member is copied with its own bytes and
    metadata, so a reader (or a test) sees it unchanged."""
    out = io.BytesIO()
    written: set[str] = set()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            payload = replaced.get(info.filename)
            if payload is None:
                target.writestr(info, source.read(info.filename))
            else:
                target.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED)
                written.add(info.filename)
        for name, payload in replaced.items():
            if name not in written:
                target.writestr(name, payload, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def check_zip(data: bytes, limits: Limits, path: str | None) -> set[str]:
    """Refuse dangerous or damaged archives; return the member names of a sane one."""
    count = zip_member_count(data)
    if count is None:
        reason = "corrupt ZIP/DOCX container (no central directory — truncated?)"
        raise CorruptDocument(reason, path)
    if count > limits.max_docx_members:
        raise DocumentTooLarge(
            f"ZIP/DOCX archive has {count:,} members; the limit is {limits.max_docx_members:,}",
            path,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_members(infos, limits, path)
            for info in infos:
                if _may_be_xml(info):
                    _check_xml_prolog(archive, info, path)
            return {info.filename for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise CorruptDocument(f"corrupt ZIP/DOCX container ({_short(e)})", path) from e
    except NotImplementedError as e:  # unknown compression method
        raise UnsupportedFormat(f"ZIP/DOCX uses an unsupported compression ({e})", path) from e


def _check_members(infos: list[zipfile.ZipInfo], limits: Limits, path: str | None) -> None:
    if len(infos) > limits.max_docx_members:
        raise DocumentTooLarge(
            f"ZIP/DOCX archive has {len(infos):,} members; the limit is "
            f"{limits.max_docx_members:,}",
            path,
        )
    total = 0
    names: set[str] = set()
    for info in infos:
        name = info.filename
        # OPC part names compare case-insensitively (ECMA-376 Part 2, §9.1.1 "Part names"): a
        # second "word/document.xml" is a second document, and readers differ on which wins.
        if name.lower() in names:
            raise CorruptDocument(
                f"ZIP/DOCX has two members named {name[:80]!r}; refused — readers disagree "
                "on which one is the document",
                path,
            )
        names.add(name.lower())
        if _unsafe_name(name):
            raise CorruptDocument(f"ZIP/DOCX member with an unsafe name: {name[:80]!r}", path)
        if info.flag_bits & 0x1:
            raise UnsupportedFormat("ZIP/DOCX with encrypted members — remove the password", path)
        total += info.file_size
        if total > limits.max_docx_bytes:
            raise DocumentTooLarge(
                f"DOCX expands to more than {describe(limits.max_docx_bytes, 'bytes')}B "
                "when unzipped (zip bomb?)",
                path,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise DocumentTooLarge(
                f"ZIP/DOCX member {name[:80]!r} expands {ratio:,.0f}:1 "
                f"(limit {limits.max_compression_ratio:g}:1) — zip bomb?",
                path,
            )


def _unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters and ``..`` components: nothing legitimate uses them."""
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or bool(re.match(r"^[A-Za-z]:", name))
        or ".." in parts
        or "\x00" in name
    )


def _may_be_xml(info: zipfile.ZipInfo) -> bool:
    """Every member except obvious media: content types may declare any name as XML."""
    if info.is_dir():
        return False
    suffix = info.filename.rsplit(".", 1)[-1].lower()
    return suffix not in {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "emf", "wmf", "bin"}


def _check_xml_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str | None) -> None:
    """Refuse a DTD (entities) or an encoding that could hide one, before lxml parses."""
    with archive.open(info) as member:
        head = member.read(_PROLOG_BYTES)
    text = _decode_head(head)
    if text is None:
        return  # not XML in an encoding libxml2 would take for XML: python-docx will fail on it
    if text == _UNSUPPORTED:
        raise UnsupportedFormat(
            f"DOCX part {info.filename[:60]!r} is in an unusual encoding; refused for safety", path
        )
    match = _ENCODING_RE.search(text[: text.find("?>") + 2] if text.startswith("<?xml") else "")
    if match and match.group(1).lower() not in _SAFE_ENCODINGS:
        raise UnsupportedFormat(
            f"DOCX part {info.filename[:60]!r} declares encoding {match.group(1)[:20]!r}; "
            "refused for safety",
            path,
        )
    root = _root_start(text)
    prolog = text if root is None else text[:root]
    if "<!" in prolog.replace("<!--", ""):
        raise UnsupportedFormat(
            f"DOCX part {info.filename[:60]!r} contains a DTD/entity declaration; refused for "
            "safety (external entities, entity expansion)",
            path,
        )
    if root is None and len(head) >= _PROLOG_BYTES:
        raise CorruptDocument(f"DOCX part {info.filename[:60]!r} has an oversized XML prolog", path)


def _decode_head(head: bytes) -> str | None:
    """Decode the start of an XML part the way libxml2 detects its encoding."""
    if head.startswith((b"\xff\xfe\x00\x00", b"<\x00\x00\x00")):
        return _UNSUPPORTED  # UTF-32 LE: checked first, its BOM begins like UTF-16 LE's
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head.decode("utf-16-le", errors="replace").lstrip("\ufeff")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head.decode("utf-16-be", errors="replace").lstrip("\ufeff")
    if head.startswith((b"\x00\x00", b"\x4c\x6f\xa7\x94")):
        # UTF-32 / EBCDIC: Word never writes these; say so rather than guess.
        return _UNSUPPORTED
    text = head.decode("latin-1").removeprefix("\xef\xbb\xbf")
    return text if text.lstrip().startswith("<") else None


def _root_start(text: str) -> int | None:
    """Offset of the root element's ``<`` after declarations, comments and PIs; None if unseen."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("<?", i):
            end = text.find("?>", i)
            if end < 0:
                return None
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        elif text.startswith("<!", i):
            return None  # DOCTYPE (or junk): the caller refuses any "<!" left in the prolog
        else:
            return i
    return None


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__
