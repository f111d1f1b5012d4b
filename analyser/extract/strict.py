"""Strict Office Open XML read as the Transitional documents python-docx knows.

ISO/IEC 29500 Strict (Word's "Strict Open XML Document") is the same WordprocessingML under
other namespace names: ``http://purl.oclc.org/ooxml/...`` instead of
``http://schemas.openxmlformats.org/.../2006/...``, relationship types included. python-docx
knows only the Transitional names, finds no main document and the file would be called
damaged. Renaming the namespaces in every XML part (ECMA-376 Part 1, 5th ed., Annex A lists
the Strict names; Part 4 §2 the Transitional ones) lets the one reader handle both.
"""

from __future__ import annotations

import io
import re
import zipfile

_STRICT = b"http://purl.oclc.org/ooxml/"
_TRANSITIONAL = "http://schemas.openxmlformats.org/"
# Strict path -> Transitional path (after _TRANSITIONAL); relationship types keep their last
# segment ("officeDocument/relationships/styles" -> "officeDocument/2006/relationships/styles").
_NAMESPACES = {
    "wordprocessingml/main": "wordprocessingml/2006/main",
    "officeDocument/relationships": "officeDocument/2006/relationships",
    "officeDocument/math": "officeDocument/2006/math",
    "officeDocument/sharedTypes": "officeDocument/2006/sharedTypes",
    "officeDocument/customXml": "officeDocument/2006/customXml",
    "officeDocument/bibliography": "officeDocument/2006/bibliography",
    "officeDocument/extendedProperties": "officeDocument/2006/extended-properties",
    "officeDocument/customProperties": "officeDocument/2006/custom-properties",
    "officeDocument/docPropsVTypes": "officeDocument/2006/docPropsVTypes",
    "drawingml/main": "drawingml/2006/main",
    "drawingml/wordprocessingDrawing": "drawingml/2006/wordprocessingDrawing",
    "drawingml/picture": "drawingml/2006/picture",
    "drawingml/chart": "drawingml/2006/chart",
    "drawingml/chartDrawing": "drawingml/2006/chartDrawing",
    "drawingml/diagram": "drawingml/2006/diagram",
    "drawingml/lockedCanvas": "drawingml/2006/lockedCanvas",
    "schemaLibrary/main": "schemaLibrary/2006/main",
}
# Relationship types whose last segment is spelt differently in the two flavours.
_RELATIONSHIP_NAMES = {"extendedProperties": "extended-properties"}
_URI_RE = re.compile(rb"http://purl\.oclc\.org/ooxml/([A-Za-z0-9/]+)")


def is_strict(data: bytes) -> bool:
    """True when the package's root relationships use the Strict namespace names."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _STRICT in archive.read("_rels/.rels")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def transitional_from_strict(data: bytes) -> bytes | None:
    """The package with Strict namespace names renamed to Transitional; None if not Strict.

    Only names change; the caller has already checked the archive (sizes, DTDs), and the
    rewritten archive holds the same members.
    """
    if not is_strict(data):
        return None
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if _STRICT in content:
                content = _URI_RE.sub(_rename, content)
            target.writestr(info.filename, content)
    return out.getvalue()


def _rename(match: re.Match[bytes]) -> bytes:
    path = match.group(1).decode("ascii")
    for strict, transitional in sorted(_NAMESPACES.items(), key=lambda kv: -len(kv[0])):
        if path == strict:
            return (_TRANSITIONAL + transitional).encode("ascii")
        if path.startswith(strict + "/"):
            rest = path[len(strict) + 1 :]
            rest = _RELATIONSHIP_NAMES.get(rest, rest)
            return (_TRANSITIONAL + transitional + "/" + rest).encode("ascii")
    return match.group(0)
