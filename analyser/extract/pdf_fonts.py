"""Fonts whose ToUnicode map says something other than their glyphs show.

A PDF's text layer comes from each font's ``/ToUnicode`` CMap (ISO 32000-1 § 9.10.2: it takes
precedence over every other way of finding a character's meaning), while what the page shows
comes from the glyphs the character codes select (§ 9.6.6). A partner can edit the ToUnicode
map so that the glyphs draw "Article 6 Reserved." while the text layer reads an
academic-freedom article, or so that the word "approval" on the page reads "notice".

Two independent readings of a glyph are available without rendering it:

* **simple fonts** (Type1, TrueType) with an ``/Encoding``: the code's glyph *name*
  (``/BaseEncoding`` plus ``/Differences``, § 9.6.6.1), read as Unicode by the Adobe Glyph List
  rules (https://github.com/adobe-type-tools/agl-specification, "the mapping" — pdfminer's
  ``name2unicode`` implements them, suffixes and ligature names included). A TrueType font
  counts only when it is marked nonsymbolic: a symbolic one selects glyphs through its own
  (3,0) cmap and its Encoding names say nothing (§ 9.6.6.4);
* **Type0 fonts with an embedded TrueType program** (``CIDFontType2``, Identity encoding): the
  program's own Unicode cmap (Unicode → glyph id), reversed, against ToUnicode (code → CID →
  glyph id through ``/CIDToGIDMap``, § 9.7.4.2). Chromium (Skia) and Word keep that cmap in
  their subsets.

A code is a lie when the two readings spell different letters or digits (case, ligatures and
compatibility forms aside, by NFKC + casefold); a code either reading cannot decode is not
judged. Subset TrueType fonts as reportlab and LibreOffice write them (symbolic, no Encoding,
a Mac cmap from code to glyph and no glyph names) carry no second reading: for them the
ToUnicode map is the only one, as for a reader that copies the text.

Cost: one pdfminer pass over the page tree and font dictionaries per document (none when the
file cannot hold a ToUnicode map); ToUnicode maps and font programs are parsed only for the
fonts that can be checked. ``bench/bench_extract.py`` prints the share of ``extract()``.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_ALNUM_RE = re.compile(r"[^\W_]+")
_ESCAPED_NAME_RE = re.compile(rb"/[^\s/<>\[\]()%#]*#[0-9A-Fa-f]{2}")
_MAX_FORM_DEPTH = 8
_SIMPLE = frozenset({"Type1", "MMType1", "TrueType"})
_NAMED_ENCODINGS = frozenset(
    {"StandardEncoding", "WinAnsiEncoding", "MacRomanEncoding", "PDFDocEncoding"}
)
_STANDARD_14_SYMBOLIC = frozenset({"Symbol", "ZapfDingbats"})
_NONSYMBOLIC_FLAG = 1 << 5  # font descriptor /Flags bit 6 (§ 9.8.2, table 123)
_UNICODE_CMAPS = ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0))


@dataclass(frozen=True)
class FontAudit:
    """What the ToUnicode check found in one document."""

    checked: int = 0  # fonts with a ToUnicode map and a second reading of their glyphs
    unchecked: int = 0  # fonts with a ToUnicode map and nothing to compare it with
    lying: frozenset[str] = frozenset()  # /BaseFont names of the fonts whose map lies


def lying_fonts(data: bytes) -> frozenset[str]:
    """The ``/BaseFont`` names of the fonts whose ToUnicode map disagrees with their glyphs."""
    return audit_fonts(data).lying


def audit_fonts(data: bytes) -> FontAudit:
    """Judge every font of the document that has a ToUnicode map.

    A PDF pdfminer cannot walk yields what was judged before it failed: the visible-text
    checks go on regardless, and a broken file is pdfium's to refuse.
    """
    if not _may_have_to_unicode(data):
        return FontAudit()
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream, resolve1

    names: set[str] = set()
    verdicts: list[bool | None] = []
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        seen: set[int] = set()
        for resources in _page_resources(resolve1(document.catalog.get("Pages")), None, set()):
            for font in _fonts(resources, seen, 0):
                if not isinstance(resolve1(font.get("ToUnicode")), PDFStream):
                    continue  # the text comes from the glyph names: nothing to lie with
                try:
                    verdict = _lies(font)
                except Exception:  # noqa: BLE001 - a font we cannot judge is not judged
                    verdict = None
                verdicts.append(verdict)
                if verdict:
                    names.add(_name(font.get("BaseFont")))
    except Exception:  # noqa: BLE001 - see the docstring
        pass
    return FontAudit(
        checked=sum(v is not None for v in verdicts),
        unchecked=verdicts.count(None),
        lying=frozenset(names),
    )


def _may_have_to_unicode(data: bytes) -> bool:
    """Can the file hold a ToUnicode map at all? Not when the key is nowhere in its bytes, no
    object is compressed into an object stream, and no name is written with ``#`` escapes
    (``/T#6FUnicode`` is the same name, § 7.3.5). Spares reportlab-style files the walk."""
    return b"/ToUnicode" in data or b"/ObjStm" in data or bool(_ESCAPED_NAME_RE.search(data))


def _page_resources(node: Any, inherited: Any, visited: set[int]) -> Iterator[Any]:
    """The /Resources of every page, inheritance applied (§ 7.7.3.4), walking the page tree
    directly: pdfminer's PDFPage would also parse every page's content stream object."""
    from pdfminer.pdftypes import resolve1

    stack = [(node, inherited)]
    while stack:
        node, inherited = stack.pop()
        node = resolve1(node)
        if not isinstance(node, dict) or id(node) in visited:
            continue
        visited.add(id(node))
        resources = node.get("Resources", inherited)
        kids = resolve1(node.get("Kids"))
        if isinstance(kids, list):
            stack += [(kid, resources) for kid in reversed(kids)]
        else:
            yield resources


def _fonts(resources: Any, seen: set[int], depth: int) -> Iterator[dict[str, Any]]:
    """Each font dictionary reachable from a resource dictionary once (forms included)."""
    from pdfminer.pdftypes import PDFStream, resolve1

    resources = resolve1(resources)
    if not isinstance(resources, dict):
        return
    fonts = resolve1(resources.get("Font"))
    for ref in (fonts or {}).values() if isinstance(fonts, dict) else ():
        key = getattr(ref, "objid", None) or id(ref)
        if key in seen:
            continue
        seen.add(key)
        font = resolve1(ref)
        if isinstance(font, dict):
            yield font
    if depth >= _MAX_FORM_DEPTH:
        return
    xobjects = resolve1(resources.get("XObject"))
    for ref in (xobjects or {}).values() if isinstance(xobjects, dict) else ():
        key = getattr(ref, "objid", None) or id(ref)
        if key in seen:
            continue
        seen.add(key)
        form = resolve1(ref)
        if isinstance(form, PDFStream) and _name(form.get("Subtype")) == "Form":
            yield from _fonts(form.get("Resources"), seen, depth + 1)


def _lies(font: dict[str, Any]) -> bool | None:
    """True or False for a font with a ToUnicode map and a second reading; None otherwise."""
    from pdfminer.pdftypes import PDFStream, resolve1

    to_unicode = resolve1(font.get("ToUnicode"))
    if not isinstance(to_unicode, PDFStream):
        return None
    subtype = _name(font.get("Subtype"))
    if subtype in _SIMPLE:
        glyphs = _encoding_reading(font)
    elif subtype == "Type0":
        glyphs = _cid_truetype_reading(font)
    else:
        return None
    if not glyphs:
        return None
    text_layer = _to_unicode(to_unicode)
    return any(_disagree(glyphs[code], said) for code, said in text_layer.items() if code in glyphs)


def _disagree(shown: set[str], said: str) -> bool:
    """Does the text layer's ``said`` spell other letters than every reading in ``shown``?"""
    if not said or any(ch < " " for ch in said):  # <0000> and the like: no mapping at all
        return False
    spelt = _alnum(said)
    return all(_alnum(glyph) != spelt for glyph in shown)


def _alnum(text: str) -> str:
    return "".join(_ALNUM_RE.findall(unicodedata.normalize("NFKC", text).casefold()))


# --- simple fonts: glyph names ---------------------------------------------------------------


def _encoding_reading(font: dict[str, Any]) -> dict[int, set[str]]:
    """Code → Unicode by the glyph names of the font's encoding; empty when the names do not
    decide which glyph is drawn."""
    from pdfminer.encodingdb import EncodingDB, name2unicode
    from pdfminer.pdftypes import resolve1

    base_font = _name(font.get("BaseFont")).split("+")[-1]
    descriptor = resolve1(font.get("FontDescriptor"))
    flags = resolve1(descriptor.get("Flags")) if isinstance(descriptor, dict) else None
    if _name(font.get("Subtype")) == "TrueType" and not (
        isinstance(flags, int) and flags & _NONSYMBOLIC_FLAG
    ):
        return {}
    encoding = resolve1(font.get("Encoding"))
    base: str | None = None
    differences: Any = []
    if encoding is None:
        if isinstance(descriptor, dict) and any(
            k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")
        ):
            return {}  # the program's built-in encoding: not read here
        if base_font in _STANDARD_14_SYMBOLIC:
            return {}
        base = "StandardEncoding"
    elif _name(encoding) in _NAMED_ENCODINGS:
        base = _name(encoding)
    elif isinstance(encoding, dict):
        named = _name(encoding.get("BaseEncoding"))
        base = named if named in _NAMED_ENCODINGS else None
        differences = resolve1(encoding.get("Differences")) or []
    else:
        return {}
    reading = {code: {text} for code, text in EncodingDB.get_encoding(base).items()} if base else {}
    code = 0
    for item in differences if isinstance(differences, list) else ():
        item = resolve1(item)
        if isinstance(item, int):
            code = item
            continue
        reading.pop(code, None)  # a name that does not decode leaves the code unjudged
        with contextlib.suppress(KeyError, ValueError):
            reading[code] = {name2unicode(_name(item))}
        code += 1
    return reading


# --- Type0 fonts with a TrueType program: its own cmap ---------------------------------------


def _cid_truetype_reading(font: dict[str, Any]) -> dict[int, set[str]]:
    """Code → the Unicode values the embedded TrueType program's cmap gives that glyph."""
    from pdfminer.pdftypes import PDFStream, resolve1

    if _name(font.get("Encoding")) not in ("Identity-H", "Identity-V"):
        return {}
    descendants = resolve1(font.get("DescendantFonts"))
    cid_font = resolve1(descendants[0]) if isinstance(descendants, list) and descendants else None
    if not isinstance(cid_font, dict) or _name(cid_font.get("Subtype")) != "CIDFontType2":
        return {}
    descriptor = resolve1(cid_font.get("FontDescriptor"))
    program = resolve1(descriptor.get("FontFile2")) if isinstance(descriptor, dict) else None
    if not isinstance(program, PDFStream):
        return {}
    by_glyph = _glyph_unicodes(program.get_data())
    if not by_glyph:
        return {}
    cid_to_gid = resolve1(cid_font.get("CIDToGIDMap"))
    if isinstance(cid_to_gid, PDFStream):
        table = cid_to_gid.get_data()
        gids = struct.unpack(f">{len(table) // 2}H", table[: len(table) // 2 * 2])
        return {cid: by_glyph[gid] for cid, gid in enumerate(gids) if gid in by_glyph}
    return by_glyph  # /Identity (the default): CID = glyph id


def _glyph_unicodes(program: bytes) -> dict[int, set[str]]:
    """Glyph id → the characters the font's Unicode cmap subtables map to it."""
    from pdfminer.pdffont import TrueTypeFont

    font = TrueTypeFont("", io.BytesIO(program))
    if b"cmap" not in font.tables:
        return {}
    offset, _ = font.tables[b"cmap"]
    stream = font.fp
    stream.seek(offset)
    _, count = struct.unpack(">HH", stream.read(4))
    subtables = [struct.unpack(">HHL", stream.read(8)) for _ in range(min(count, 64))]
    parsers = {
        4: font.parse_cmap_format_4,
        6: font.parse_cmap_format_6,
        10: font.parse_cmap_format_10,
        12: font.parse_cmap_format_12,
    }
    char_to_glyph: dict[int, int] = {}
    for platform, encoding, at in subtables:
        if (platform, encoding) not in _UNICODE_CMAPS:
            continue
        stream.seek(offset + at)
        (kind,) = struct.unpack(">H", stream.read(2))
        if kind in parsers:
            parsers[kind](stream, char_to_glyph)
    by_glyph: dict[int, set[str]] = {}
    for char, glyph in char_to_glyph.items():
        if glyph and 0 < char <= 0x10FFFF and not 0xD800 <= char <= 0xDFFF:
            by_glyph.setdefault(glyph, set()).add(chr(char))
    return by_glyph


# --- ToUnicode and PDF values ----------------------------------------------------------------


def _to_unicode(stream: Any) -> dict[int, str]:
    """Code → text of a ToUnicode CMap, parsed by pdfminer (the parser its text layer uses)."""
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap

    cmap = FileUnicodeMap()
    CMapParser(cmap, io.BytesIO(stream.get_data())).run()
    return dict(cmap.cid2unichr)


def _name(value: Any) -> str:
    """A PDF name (pdfminer's PSLiteral) or string as text; '' for anything else."""
    name = getattr(value, "name", value)
    if isinstance(name, bytes):
        return name.decode("latin-1")
    return name if isinstance(name, str) else ""
