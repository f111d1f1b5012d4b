"""Fonts whose ToUnicode map says something other than their glyphs show.

A PDF's text layer comes from each font's ``/ToUnicode`` CMap (ISO 32000-1 § 9.10.2: it takes
precedence over every other way of finding a character's meaning), while what the page shows
comes from the glyphs the character codes select (§ 9.6.6). A partner can edit the ToUnicode
map so that the glyphs draw "Article 6 Reserved." while the text layer reads an
academic-freedom article, or so that the word "approval" on the page reads "notice".

Three checks, none of which renders a glyph:

1. **A second reading of the font's own**, where it has one:

   * simple fonts (Type1, TrueType) with an ``/Encoding``: the code's glyph *name*
     (``/BaseEncoding`` plus ``/Differences``, § 9.6.6.1), read as Unicode by the Adobe Glyph
     List rules (https://github.com/adobe-type-tools/agl-specification, "the mapping" —
     pdfminer's ``name2unicode`` implements them, suffixes and ligature names included). A
     TrueType font counts only when it is marked nonsymbolic: a symbolic one selects glyphs
     through its own (3,0) cmap and its Encoding names say nothing (§ 9.6.6.4);
   * Type0 fonts with an embedded TrueType program (``CIDFontType2``, Identity encoding): the
     program's own Unicode cmap (Unicode → glyph id), reversed, against ToUnicode (code → CID
     → glyph id through ``/CIDToGIDMap``, § 9.7.4.2). Chromium (Skia) keeps that cmap.

   A code is a lie when the two readings spell different letters or digits (case, ligatures
   and compatibility forms aside, by NFKC + casefold); a code either reading cannot decode is
   not judged.
2. **One glyph, one ligature at most**: a code whose map gives more than four letters.
3. **One outline, one reading**: subset TrueType fonts as reportlab and LibreOffice write them
   (symbolic, no Encoding, a Mac cmap from code to glyph, no glyph names) have no second
   reading, but an edited copy of such a font — the way to make one passage lie without
   changing every other word — shares its glyph outlines with the original. Two fonts that
   read the same outline (the glyf entry, byte for byte) as different text are both
   distrusted: which map lies cannot be told from the maps.

What remains uncaught is a lie in a font that is alone of its kind and has no second reading;
then the map is the only reading, as for a reader who copies the text, and only OCR helps.

Cost: one pdfminer pass over the page tree and font dictionaries per document (none when the
file cannot hold a ToUnicode map); ToUnicode maps are read with regular expressions.
``bench/bench_extract.py`` prints the share of ``extract()``, ``bench/bench_fonts.py`` the
false alarms on honest LibreOffice and Chromium files.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_ALNUM_RE = re.compile(r"[^\W_]+")
_SECTION_RE = re.compile(rb"begin(bfchar|bfrange)\b(.*?)end\1", re.S)
# A hex string, or an array of them (kept whole: bfrange's per-code destinations).
_TOKEN_RE = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[([^\]]*)\]")
_ARRAY_ITEM_RE = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_MAX_RANGE = 0x10000  # codes in one bfrange (a two-byte code space)
_MAX_MAP_ENTRIES = 0x20000
_ESCAPED_NAME_RE = re.compile(rb"/[^\s/<>\[\]()%#]*#[0-9A-Fa-f]{2}")
_MAX_FORM_DEPTH = 8
_SIMPLE = frozenset({"Type1", "MMType1", "TrueType"})
_NAMED_ENCODINGS = frozenset(
    {"StandardEncoding", "WinAnsiEncoding", "MacRomanEncoding", "PDFDocEncoding"}
)
_STANDARD_14_SYMBOLIC = frozenset({"Symbol", "ZapfDingbats"})
_NONSYMBOLIC_FLAG = 1 << 5  # font descriptor /Flags bit 6 (§ 9.8.2, table 123)
_UNICODE_CMAPS = ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0))
_SYMBOL_CMAPS = ((3, 0), (1, 0))  # code → glyph of a symbolic TrueType font (§ 9.6.6.4)
# A ligature glyph stands for at most three or four letters ("ffi", "ffl"); a glyph whose
# map gives more is made to say a sentence.
_MAX_GLYPH_LETTERS = 4
# Outlines shorter than this (bytes of the glyf entry) are too simple to tell glyphs apart.
_MIN_OUTLINE_BYTES = 12


@dataclass(frozen=True)
class FontAudit:
    """What the ToUnicode check found in one document."""

    checked: int = 0  # fonts with a ToUnicode map and a second reading of their glyphs
    unchecked: int = 0  # fonts with a ToUnicode map and nothing to compare it with
    outlines: int = 0  # TrueType fonts whose glyph outlines were compared across fonts
    lying: frozenset[str] = frozenset()  # /BaseFont names of the fonts whose map lies
    lying_objects: tuple[int, ...] = ()  # their object numbers (fonts that are indirect objects)
    lying_direct: frozenset[str] = frozenset()  # names of lying fonts with no object number


@dataclass
class _Judged:
    """One font with a ToUnicode map, as judged so far."""

    name: str
    objid: int | None  # the font dictionary's object number; None for a direct object
    verdict: bool | None  # None: no second reading of its own
    outlines: dict[int, str] = field(default_factory=dict)  # outline fingerprint → reading


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

    judged: list[_Judged] = []
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        seen: set[int] = set()
        for resources in _page_resources(resolve1(document.catalog.get("Pages")), None, set()):
            for objid, font in _fonts(resources, seen, 0):
                to_unicode = resolve1(font.get("ToUnicode"))
                if not isinstance(to_unicode, PDFStream):
                    continue  # the text comes from the glyph names: nothing to lie with
                with contextlib.suppress(Exception):  # a font we cannot judge is not judged
                    judged.append(_judge(objid, font, _to_unicode(to_unicode)))
    except Exception:  # noqa: BLE001 - see the docstring
        pass
    lying = [j for j in judged if j.verdict]
    lying += [j for j in _outline_conflicts(judged) if not j.verdict]
    return FontAudit(
        checked=sum(j.verdict is not None for j in judged),
        unchecked=sum(j.verdict is None for j in judged),
        outlines=sum(bool(j.outlines) for j in judged),
        lying=frozenset(j.name for j in lying),
        lying_objects=tuple(j.objid for j in lying if j.objid is not None),
        lying_direct=frozenset(j.name for j in lying if j.objid is None),
    )


def mark_lying_fonts(data: bytes, audit: FontAudit) -> tuple[bytes, frozenset[str]]:
    """The PDF with each lying font renamed (``/BaseFont /LiarFont0-Name``), and the names to
    look for in pdfium's text objects.

    pdfium tells a text object's font only by its name, and an edited copy of the body font
    usually keeps the body font's name: renaming the lying font dictionaries (and no other)
    lets exactly their text be taken out. The renaming is an incremental update (§ 7.5.6)
    written by pypdf, appended in memory; the file on disk is untouched. Should pypdf fail,
    every font of a lying font's name is distrusted.
    """
    if not audit.lying:
        return data, frozenset()
    try:
        from pypdf import PdfWriter
        from pypdf.generic import DictionaryObject, NameObject

        writer = PdfWriter(io.BytesIO(data), incremental=True)
        marks: set[str] = set()
        for n, objid in enumerate(audit.lying_objects):
            font = writer.get_object(objid)
            if not isinstance(font, DictionaryObject):
                raise ValueError(f"object {objid} is not a font dictionary")
            # No "ABCDEF+" subset tag in front: pdfium would report the name without it.
            name = f"LiarFont{n}-{str(font.get('/BaseFont', '/Font'))[1:].replace('+', '-')}"
            renamed = [font]  # a Type0 font's descendant carries the name pdfium reports
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                renamed += [d.get_object() for d in descendants.get_object()]
            for dictionary in renamed:
                if isinstance(dictionary, DictionaryObject):
                    dictionary[NameObject("/BaseFont")] = NameObject("/" + name)
            marks.add(name)
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # noqa: BLE001 - the names alone still find the lying fonts' text
        return data, _with_untagged(audit.lying)
    return out.getvalue(), frozenset(marks) | _with_untagged(audit.lying_direct)


def _with_untagged(names: frozenset[str]) -> frozenset[str]:
    """Each name also without its subset tag ("ABCDEF+"), as pdfium may report it."""
    return names | {name.split("+", 1)[-1] for name in names}


def _judge(objid: int | None, font: dict[str, Any], text_layer: dict[int, str]) -> _Judged:
    name = _name(font.get("BaseFont"))
    mapped = {code: said for code, said in text_layer.items() if _maps(said)}
    verdict = _lies(font, mapped)
    if any(_letters(said) > _MAX_GLYPH_LETTERS for said in mapped.values()):
        verdict = True  # one glyph standing for a sentence is no ligature
    outlines: dict[int, str] = {}
    with contextlib.suppress(Exception):  # outlines that cannot be read are not compared
        outlines = _outline_readings(font, mapped)
    return _Judged(name, objid, verdict, outlines)


def _maps(said: str) -> bool:
    """Does a ToUnicode value give text? <0000> and other control characters do not."""
    return bool(said) and not any(ch < " " for ch in said)


def _letters(said: str) -> int:
    return sum(len(part) for part in _ALNUM_RE.findall(said))


def _outline_conflicts(judged: list[_Judged]) -> list[_Judged]:
    """Fonts whose maps read one glyph outline as different text.

    The same outline (byte for byte) in two fonts of one document is the same glyph, as when
    an edited copy of the body font draws one passage. Which of the two maps lies cannot be
    told from the maps (an editor can make either look like the body text's), so every font
    in such a disagreement is distrusted — unless one of them is already known to lie by its
    own glyph reading, which explains the disagreement.
    """
    by_outline: dict[int, dict[int, str]] = {}
    for index, font in enumerate(judged):
        if font.verdict:
            continue
        for outline, reading in font.outlines.items():
            by_outline.setdefault(outline, {})[index] = reading
    flagged: set[int] = set()
    for readings in by_outline.values():
        if len(set(readings.values())) > 1:
            flagged.update(readings)
    return [judged[i] for i in sorted(flagged)]


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


def _fonts(
    resources: Any, seen: set[int], depth: int
) -> Iterator[tuple[int | None, dict[str, Any]]]:
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
            yield getattr(ref, "objid", None), font
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


def _lies(font: dict[str, Any], text_layer: dict[int, str]) -> bool | None:
    """True or False for a font with a ToUnicode map and a second reading; None otherwise."""
    subtype = _name(font.get("Subtype"))
    if subtype in _SIMPLE:
        glyphs = _encoding_reading(font)
    elif subtype == "Type0":
        glyphs = _cid_truetype_reading(font)
    else:
        return None
    if not glyphs:
        return None
    return any(_disagree(glyphs[code], said) for code, said in text_layer.items() if code in glyphs)


def _disagree(shown: set[str], said: str) -> bool:
    """Does the text layer's ``said`` spell other letters than every reading in ``shown``?"""
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


# --- glyph outlines: the same glyph in two fonts ---------------------------------------------


def _outline_readings(font: dict[str, Any], text_layer: dict[int, str]) -> dict[int, str]:
    """Outline fingerprint → what the map says it reads, for the simple (non-composite) glyphs
    of a font with a TrueType program. Composite glyphs are left out: a subsetter renumbers
    the components they point to, so their bytes differ between two subsets of one font."""
    from pdfminer.pdftypes import PDFStream, resolve1

    subtype = _name(font.get("Subtype"))
    cid_font: Any = None
    if subtype == "Type0":
        descendants = resolve1(font.get("DescendantFonts"))
        cid_font = resolve1(descendants[0]) if isinstance(descendants, list) else None
        if not isinstance(cid_font, dict) or _name(font.get("Encoding")) not in (
            "Identity-H", "Identity-V"
        ):  # fmt: skip
            return {}
        descriptor = resolve1(cid_font.get("FontDescriptor"))
    elif subtype == "TrueType":
        descriptor = resolve1(font.get("FontDescriptor"))
    else:
        return {}
    program = resolve1(descriptor.get("FontFile2")) if isinstance(descriptor, dict) else None
    if not isinstance(program, PDFStream):
        return {}
    outlines = _Outlines(program.get_data())
    if cid_font is not None:
        cid_to_gid = resolve1(cid_font.get("CIDToGIDMap"))
        if isinstance(cid_to_gid, PDFStream):
            table = cid_to_gid.get_data()
            gids = struct.unpack(f">{len(table) // 2}H", table[: len(table) // 2 * 2])
            glyph_of: Callable[[int], int | None] = lambda c: gids[c] if c < len(gids) else None  # noqa: E731
        else:
            glyph_of = lambda c: c  # noqa: E731 - /Identity
    else:
        glyph_of = outlines.symbolic_glyph
    out: dict[int, str] = {}
    for code, said in text_layer.items():
        glyph = glyph_of(code)
        outline = outlines.fingerprint(glyph) if glyph else None
        reading = _reading(said)
        if outline is not None and reading:
            out[outline] = reading
    return out


class _Outlines:
    """The glyf outlines of a TrueType program, and its symbolic code → glyph cmaps."""

    def __init__(self, program: bytes) -> None:
        from pdfminer.pdffont import TrueTypeFont

        self.program = program
        self.font = TrueTypeFont("", io.BytesIO(program))
        tables = self.font.tables
        head, _ = tables[b"head"]
        (self.long_offsets,) = struct.unpack(">h", program[head + 50 : head + 52])
        self.loca, self.loca_length = tables[b"loca"]
        self.glyf, _ = tables[b"glyf"]
        self._cmaps: list[dict[int, int]] | None = None

    def fingerprint(self, glyph: int) -> int | None:
        step = 4 if self.long_offsets else 2
        at = self.loca + glyph * step
        if glyph < 0 or at + 2 * step > self.loca + self.loca_length:
            return None
        kind = ">2I" if self.long_offsets else ">2H"
        start, end = struct.unpack(kind, self.program[at : at + 2 * step])
        if not self.long_offsets:
            start, end = start * 2, end * 2
        data = self.program[self.glyf + start : self.glyf + end]
        if len(data) < _MIN_OUTLINE_BYTES or struct.unpack(">h", data[:2])[0] < 0:
            return None  # empty, or a composite glyph
        return hash(data)

    def symbolic_glyph(self, code: int) -> int | None:
        if self._cmaps is None:
            self._cmaps = self._read_cmaps()
        for cmap in self._cmaps:
            for key in (code, 0xF000 + code):
                if cmap.get(key):
                    return cmap[key]
        return None

    def _read_cmaps(self) -> list[dict[int, int]]:
        if b"cmap" not in self.font.tables:
            return []
        offset, _ = self.font.tables[b"cmap"]
        stream = self.font.fp
        stream.seek(offset)
        _, count = struct.unpack(">HH", stream.read(4))
        subtables = [struct.unpack(">HHL", stream.read(8)) for _ in range(min(count, 64))]
        parsers = {
            0: self.font.parse_cmap_format_0,
            4: self.font.parse_cmap_format_4,
            6: self.font.parse_cmap_format_6,
        }
        cmaps = []
        for wanted in _SYMBOL_CMAPS:
            for platform, encoding, at in subtables:
                if (platform, encoding) != wanted:
                    continue
                stream.seek(offset + at)
                (kind,) = struct.unpack(">H", stream.read(2))
                if kind in parsers:
                    cmap: dict[int, int] = {}
                    parsers[kind](stream, cmap)
                    cmaps.append(cmap)
        return cmaps


def _reading(said: str) -> str:
    """What a map's text spells, homoglyphs folded (one glyph may serve Latin "a" and
    Cyrillic "а"), for comparing two fonts' readings of one glyph."""
    from analyser.normalise import confusables

    table = confusables()
    text = unicodedata.normalize("NFKC", said)
    return _alnum("".join(table.get(ch, ch) for ch in text))


# --- ToUnicode and PDF values ----------------------------------------------------------------


def _to_unicode(stream: Any) -> dict[int, str]:
    """Code → text of a ToUnicode CMap: its ``bfchar`` and ``bfrange`` sections (§ 9.10.3).

    Read with regular expressions rather than pdfminer's PostScript parser, which took most of
    the check's time on ordinary files; ranges are capped so a crafted map cannot blow up.
    """
    out: dict[int, str] = {}
    for kind, body in _SECTION_RE.findall(stream.get_data()):
        tokens = _TOKEN_RE.findall(body)
        if kind == b"bfchar":
            for i in range(0, len(tokens) - 1, 2):
                (src, _), (dst, _) = tokens[i], tokens[i + 1]
                out[_code(src)] = _utf16(dst)
            continue
        i = 0
        while i + 2 < len(tokens) and len(out) < _MAX_MAP_ENTRIES:
            low, high = _code(tokens[i][0]), _code(tokens[i + 1][0])
            count = min(max(high - low + 1, 0), _MAX_RANGE)
            if tokens[i + 2][1]:  # an array: one destination per code
                items = _ARRAY_ITEM_RE.findall(tokens[i + 2][1])
                for offset, dst in enumerate(items[:count]):
                    out[low + offset] = _utf16(dst)
            else:
                first = _utf16(tokens[i + 2][0])
                for offset in range(count if first else 0):
                    out[low + offset] = first[:-1] + chr(min(ord(first[-1]) + offset, 0x10FFFF))
            i += 3
    return out


def _code(hex_digits: bytes) -> int:
    digits = bytes(ch for ch in hex_digits if ch not in b" \t\r\n")
    return int(digits or b"0", 16)


def _utf16(hex_digits: bytes) -> str:
    digits = bytes(ch for ch in hex_digits if ch not in b" \t\r\n")
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii")).decode("utf-16-be", "replace")


def _name(value: Any) -> str:
    """A PDF name (pdfminer's PSLiteral) or string as text; '' for anything else."""
    name = getattr(value, "name", value)
    if isinstance(name, bytes):
        return name.decode("latin-1")
    return name if isinstance(name, str) else ""
