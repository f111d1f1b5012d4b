"""What a reader of a PDF page actually sees: find text objects nobody can see and take them
out of the page before its text is read.

A partner's draft can carry an article that renders to nothing: text render mode 3 or 7
(ISO 32000-1 § 9.3.6, "neither fill nor stroke"), a fill the colour of its background, a
position outside the crop box (§ 14.11.2: only the crop box is displayed or printed), a clip
path of zero area (§ 8.5.4), or an optional content group that is OFF in the default
configuration (§ 8.11.4.3). pdfium's text layer returns all of them, because it reads every
text object. Here each text object of a page is inspected through pdfium's page-object API
and the invisible ones are removed from the loaded page (``FPDFPage_RemoveObject``), so the
text page built afterwards holds only what is drawn. Their text goes to
:attr:`Document.hidden` with the reason.

``/ActualText`` (§ 14.9.4) replaces the text of the glyphs it marks in every text extractor,
pdfium included; it can say anything. Its mark is removed so the text comes from the glyphs,
and where the two disagree in their letters, the ActualText is kept as a hidden passage
(reason ``actual_text_mismatch``) and a warning is given. A ToUnicode map can lie the same
way for every glyph of a font; the fonts whose map disagrees with their glyphs are found once
per document (:mod:`analyser.extract.pdf_fonts`), and the text objects drawn in them are taken
out like invisible ones, with the same reason: their text layer is not what the page shows.

Cost: one pass over a page's objects with a few pdfium calls each (about 1 µs per call), and a
second text page only on pages where something was hidden. The optional-content state is
only looked up (with pdfminer, which can read the catalog) when some object carries an OC mark.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyser.document import HiddenPassage, HiddenReason

# Text whose colour is this close to its background cannot be read. WCAG 2.x contrast ratio
# (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio); 1.0 is identical colours, #EEEEEE on
# white is 1.16, #CCCCCC on white (pale but legible) 1.6.
_MIN_CONTRAST = 1.2
# Text whose glyphs are less than this high (points) cannot be read on a printed page.
_MIN_HEIGHT = 1.5
_INVISIBLE_MODES = frozenset({3, 7})  # neither fill nor stroke (7 adds to the clip path only)
_STROKE_ONLY_MODES = frozenset({1, 5})
_WHITE = (255, 255, 255)
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")

_Box = tuple[float, float, float, float]  # left, bottom, right, top in page space
_Rgb = tuple[int, int, int]


@dataclass
class _Found:
    """A text object judged invisible (or with untrusted ActualText), in drawing order."""

    obj: ctypes.c_void_p
    parent: ctypes.c_void_p | None  # the form XObject holding it, None on the page itself
    reason: HiddenReason
    actual_text: str | None = None
    box: _Box | None = None
    font_lies: bool = False  # drawn in a font whose ToUnicode map disagrees with its glyphs


@dataclass
class PageVisibility:
    """What :func:`remove_invisible_text` found on one page."""

    hidden: list[HiddenPassage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class OptionalContent:
    """Names of the optional content groups that are OFF in the default view.

    Loaded lazily, once per document, the first time an object carries an OC mark.
    """

    data: bytes
    _off: frozenset[str] | None = None

    def off(self) -> frozenset[str]:
        if self._off is None:
            self._off = _off_groups(self.data)
        return self._off


def remove_invisible_text(
    page: pdfium.PdfPage,
    number: int,
    content: OptionalContent,
    reload: Callable[[], pdfium.PdfPage],
    lying_fonts: frozenset[str] = frozenset(),
) -> PageVisibility:
    """Remove the page's invisible text objects; return their text with the reasons.

    ``reload`` loads a second copy of the page, on which /ActualText marks are removed to read
    what the glyphs say; only where the glyphs read as text and spell other words is the mark
    removed from ``page`` too. Glyphs that do not decode (no ToUnicode: control characters,
    private-use code points) leave the ActualText as the only reading, as LibreOffice writes
    it for some CJK text. Text drawn in one of ``lying_fonts`` (base font names) is hidden.
    """
    crop = _box(page.get_cropbox())
    found = _scan(page.raw, crop, content, lying_fonts)
    result = PageVisibility()
    if not found:
        return result
    spans = [item for item in found if item.actual_text is not None]
    glyphs = _glyph_texts(reload, crop, content, len(spans), lying_fonts) if spans else []
    if spans:  # pdfium's own reading of the ActualText (it decodes the PDF string properly)
        textpage = page.get_textpage()
        try:
            for item in spans:
                item.actual_text = _object_text(item.obj, textpage)
        finally:
            textpage.close()
    distrusted: set[int] = set()
    for item, glyph in zip(spans, glyphs, strict=True):
        assert item.actual_text is not None
        if glyph is None or _undecodable(glyph) or not _LATIN_RE.search(glyph):
            # No text, or not Latin script: a broken ToUnicode map is likelier than a lie
            # (LibreOffice's CJK output maps every glyph to one character).
            continue
        if _same_letters(item.actual_text, glyph):
            continue
        _remove_mark(item.obj, "ActualText")
        distrusted.add(id(item))
        result.warnings.append(
            f"page {number}: /ActualText says something other than the glyphs show; "
            "the glyphs were read"
        )
    hidden = [item for item in found if item.actual_text is None or id(item) in distrusted]
    if any(item.font_lies for item in hidden):
        result.warnings.append(
            f"page {number}: a font's ToUnicode map says something other than its glyphs show; "
            "that text was ignored"
        )
    if not hidden:
        return result
    textpage = page.get_textpage()
    try:
        texts = [
            item.actual_text if item.actual_text is not None else _object_text(item.obj, textpage)
            for item in hidden
        ]
    finally:
        textpage.close()
    runs: list[tuple[HiddenReason, list[str]]] = []
    for item, text in zip(hidden, texts, strict=True):
        if item.actual_text is None:
            _remove_object(page.raw, item)
        if not text.strip():
            continue
        if runs and runs[-1][0] == item.reason:
            runs[-1][1].append(text)
        else:
            runs.append((item.reason, [text]))
    result.hidden = [
        HiddenPassage(" ".join(" ".join(parts).split()), reason, number) for reason, parts in runs
    ]
    return result


def _glyph_texts(
    reload: Callable[[], pdfium.PdfPage],
    crop: _Box,
    content: OptionalContent,
    count: int,
    lying_fonts: frozenset[str],
) -> list[str | None]:
    """What the glyphs of the ActualText spans say, read on a second copy of the page (the
    scan visits objects in the same order on both copies)."""
    copy = reload()
    try:
        found = _scan(copy.raw, crop, content, lying_fonts)
        spans = [item for item in found if item.actual_text is not None]
        if len(spans) != count:
            return [None] * count
        for item in spans:
            _remove_mark(item.obj, "ActualText")
        textpage = copy.get_textpage()
        try:
            return [_object_text(item.obj, textpage) for item in spans]
        finally:
            textpage.close()
    finally:
        copy.close()


def _undecodable(text: str) -> bool:
    """Glyph text that is no text: control characters, U+FFFD, private-use code points."""
    return not text.strip() or any(
        (ch < " " and ch not in "\t\n\r") or ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff"
        for ch in text
    )


# --- the scan ----------------------------------------------------------------------------


def _scan(
    page: ctypes.c_void_p,
    crop: _Box,
    content: OptionalContent,
    lying_fonts: frozenset[str] = frozenset(),
) -> list[_Found]:
    """Walk the page's objects (and those of its form XObjects) in drawing order.

    Invisible text over a page image is how OCR layers are made (ocrmypdf draws it before the
    image, Acrobat after): the image shows what the text says, so it is not hidden. Anywhere
    else render mode 3 hides the text.
    """
    scan = _PageScan(crop, content, lying_fonts)
    found: list[_Found] = []
    for i in range(pdfium_c.FPDFPage_CountObjects(page)):
        obj = pdfium_c.FPDFPage_GetObject(page, i)
        found += _inspect(scan, obj, None, _IDENTITY, 0)
    return [
        item
        for item in found
        if not (
            item.reason == "render_mode_invisible"
            and item.box is not None
            and _over_image(item.box, scan.backgrounds)
        )
    ]


@dataclass
class _PageScan:
    """What one page's walk knows beside the object at hand: the page box, the optional
    content that is off, the fonts whose ToUnicode map lies, and the fills and images drawn so
    far (the background later text is judged against)."""

    crop: _Box
    content: OptionalContent
    lying_fonts: frozenset[str]
    backgrounds: list[tuple[_Box, _Rgb | None]] = field(default_factory=list)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 8


def _inspect(
    scan: _PageScan,
    obj: ctypes.c_void_p,
    parent: ctypes.c_void_p | None,
    matrix: tuple[float, ...],
    depth: int,
) -> Iterator[_Found]:
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
        found = _judge_text(scan, obj, parent, matrix)
        if found is not None:
            yield found
    elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
        fill = _filled_path(obj, matrix)
        if fill is not None:
            scan.backgrounds.append(fill)
    elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
        box = _bounds(obj, matrix)
        if box is not None:
            scan.backgrounds.append((box, None))  # an image: colour unknown
    elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
        inner = _compose(_matrix(obj), matrix)
        off = _oc_off(obj, scan.content)
        for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            child = pdfium_c.FPDFFormObj_GetObject(obj, i)
            if off and pdfium_c.FPDFPageObj_GetType(child) == pdfium_c.FPDF_PAGEOBJ_TEXT:
                yield _Found(child, obj, "optional_content_off")
                continue
            yield from _inspect(scan, child, obj, inner, depth + 1)


def _judge_text(
    scan: _PageScan,
    obj: ctypes.c_void_p,
    parent: ctypes.c_void_p | None,
    matrix: tuple[float, ...],
) -> _Found | None:
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
    box = _bounds(obj, matrix)
    if mode in _INVISIBLE_MODES:
        return _Found(obj, parent, "render_mode_invisible", box=box)
    if box is not None:
        if not _overlaps(box, scan.crop):
            return _Found(obj, parent, "outside_page")
        if _font_height(obj, matrix) < _MIN_HEIGHT:
            return _Found(obj, parent, "tiny_font")
        if _clipped_away(obj, box, matrix):
            return _Found(obj, parent, "clipped")
        colour = _colour(obj, stroke=mode in _STROKE_ONLY_MODES)
        background = _background(box, scan.backgrounds)
        if colour is not None and background is not None and _unreadable(colour, background):
            return _Found(obj, parent, "invisible_colour")
    if scan.lying_fonts and _font_name(obj) in scan.lying_fonts:
        return _Found(obj, parent, "actual_text_mismatch", font_lies=True)
    marks = _marks(obj)
    if marks:
        if _oc_off_marks(marks, scan.content):
            return _Found(obj, parent, "optional_content_off")
        actual = next((v for name, v in marks if name == "ActualText"), None)
        if actual is not None:
            return _Found(obj, parent, "actual_text_mismatch", actual_text=actual)
    return None


# Out-parameters reused for every call (pdfium runs under one lock): allocating ctypes
# objects per call cost more than the pdfium calls themselves.
_F = [ctypes.c_float() for _ in range(4)]
_U = [ctypes.c_uint() for _ in range(4)]


def _bounds(obj: ctypes.c_void_p, matrix: tuple[float, ...]) -> _Box | None:
    left, bottom, right, top = _F
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return _transform_box((left.value, bottom.value, right.value, top.value), matrix)


def _font_name(obj: ctypes.c_void_p) -> str:
    """The base font name of a text object's font, as in its /BaseFont entry."""
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    if not font:
        return ""
    size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    if size <= 1:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
    return buffer.value.decode("utf-8", "replace")


def _font_height(obj: ctypes.c_void_p, matrix: tuple[float, ...]) -> float:
    """The font size as drawn: Tf size scaled by the text and form matrices. (The object's
    bounds will not do: a lone hyphen's glyph box is under a point high.)"""
    size = _F[0]
    if not pdfium_c.FPDFTextObj_GetFontSize(obj, size):
        return _MIN_HEIGHT
    a, b, c, d, _, _ = _compose(_matrix(obj), matrix)
    return size.value * math.sqrt(abs(a * d - b * c))


def _overlaps(a: _Box, b: _Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _clipped_away(obj: ctypes.c_void_p, box: _Box, matrix: tuple[float, ...]) -> bool:
    """True when the object's clip path has no area or does not meet the object at all.

    Each path of the clip is reduced to the box of its points; the visible region is inside
    all of them (clip paths intersect, ISO 32000-1 § 8.5.4).
    """
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return False
    for p in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        xs: list[float] = []
        ys: list[float] = []
        for s in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, p)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, p, s)
            x, y = ctypes.c_float(), ctypes.c_float()
            if segment and pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                xs.append(x.value)
                ys.append(y.value)
        if not xs:
            continue
        region = _transform_box((min(xs), min(ys), max(xs), max(ys)), matrix)
        if region[2] - region[0] < 0.5 or region[3] - region[1] < 0.5:
            return True
        if not _overlaps(region, box):
            return True
    return False


def _colour(obj: ctypes.c_void_p, *, stroke: bool) -> tuple[int, int, int, int] | None:
    r, g, b, a = _U
    get = pdfium_c.FPDFPageObj_GetStrokeColor if stroke else pdfium_c.FPDFPageObj_GetFillColor
    if not get(obj, r, g, b, a):
        return None
    return r.value, g.value, b.value, a.value


def _filled_path(
    obj: ctypes.c_void_p, matrix: tuple[float, ...]
) -> tuple[_Box, tuple[int, int, int]] | None:
    """A filled, opaque path is a background for the text drawn after it."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke) or fill_mode.value == 0:
        return None
    colour = _colour(obj, stroke=False)
    box = _bounds(obj, matrix)
    if colour is None or box is None or colour[3] < 128:
        return None
    return box, colour[:3]


def _background(box: _Box, backgrounds: list[tuple[_Box, _Rgb | None]]) -> _Rgb | None:
    """The colour of the last filled area drawn under the text's centre; white paper if
    none; None over an image (its colour there is unknown, so the text counts as readable)."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for area, colour in reversed(backgrounds):
        if area[0] <= x <= area[2] and area[1] <= y <= area[3]:
            return colour
    return _WHITE


def _over_image(box: _Box, backgrounds: list[tuple[_Box, _Rgb | None]]) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(
        colour is None and area[0] <= x <= area[2] and area[1] <= y <= area[3]
        for area, colour in backgrounds
    )


@lru_cache(maxsize=1024)
def _unreadable(colour: tuple[int, int, int, int], background: _Rgb) -> bool:
    if colour[3] == 0:  # fully transparent
        return True
    lighter, darker = sorted((_luminance(colour[:3]), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05) < _MIN_CONTRAST


def _luminance(rgb: tuple[int, ...]) -> float:
    """Relative luminance (WCAG 2.x, sRGB)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- marks: optional content and ActualText ------------------------------------------------


def _marks(obj: ctypes.c_void_p) -> list[tuple[str, str]]:
    """(mark name, value) pairs that matter here: ("OC", group name), ("ActualText", text)."""
    n = pdfium_c.FPDFPageObj_CountMarks(obj)
    out: list[tuple[str, str]] = []
    for i in range(max(n, 0)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, i)
        if not mark:
            continue
        name = _mark_name(mark)
        if name == "OC":
            out.append(("OC", _mark_param(mark, b"Name") or ""))
        actual = _mark_param(mark, b"ActualText")
        if actual is not None:
            out.append(("ActualText", actual))
    return out


def _mark_name(mark: ctypes.c_void_p) -> str:
    size = ctypes.c_ulong()
    pdfium_c.FPDFPageObjMark_GetName(mark, None, 0, size)
    if size.value <= 2:
        return ""
    buffer = (ctypes.c_ushort * (size.value // 2))()
    pdfium_c.FPDFPageObjMark_GetName(mark, buffer, size.value, size)
    return bytes(buffer).decode("utf-16-le", "replace").rstrip("\x00")


def _mark_param(mark: ctypes.c_void_p, key: bytes) -> str | None:
    """A string parameter of a mark. pdfium hands a UTF-16 PDF string (BOM FE FF) back one
    byte per character; such a value is decoded here."""
    size = ctypes.c_ulong()
    if not pdfium_c.FPDFPageObjMark_GetParamStringValue(mark, key, None, 0, size):
        return None
    buffer = (ctypes.c_ushort * max(size.value // 2, 1))()
    pdfium_c.FPDFPageObjMark_GetParamStringValue(mark, key, buffer, size.value, size)
    value = bytes(buffer).decode("utf-16-le", "replace").rstrip("\x00")
    if value.startswith("\xfe\xff") and all(ord(ch) < 256 for ch in value):
        value = value.encode("latin-1")[2:].decode("utf-16-be", "replace")
    return value


def _oc_off_marks(marks: list[tuple[str, str]], content: OptionalContent) -> bool:
    names = [value for name, value in marks if name == "OC"]
    return bool(names) and any(n in content.off() for n in names)


def _oc_off(obj: ctypes.c_void_p, content: OptionalContent) -> bool:
    """A form XObject whose own marks put it in an OFF group hides everything in it."""
    return _oc_off_marks(_marks(obj), content)


def _remove_mark(obj: ctypes.c_void_p, param: str) -> None:
    key = param.encode()
    for i in reversed(range(max(pdfium_c.FPDFPageObj_CountMarks(obj), 0))):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, i)
        if mark and _mark_param(mark, key) is not None:
            pdfium_c.FPDFPageObj_RemoveMark(obj, mark)


def _off_groups(data: bytes) -> frozenset[str]:
    """Names of the OCGs hidden in the default configuration (/OCProperties /D), read with
    pdfminer: pdfium has no API for the catalog. /BaseState /OFF hides all but /ON."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        properties = resolve1(document.catalog.get("OCProperties")) or {}
        groups = [resolve1(g) for g in resolve1(properties.get("OCGs")) or []]
        default = resolve1(properties.get("D")) or {}
        base_off = _name(resolve1(default.get("BaseState"))) == "OFF"
        on = {id(resolve1(g)) for g in resolve1(default.get("ON")) or []}
        off = {id(resolve1(g)) for g in resolve1(default.get("OFF")) or []}
    except Exception:  # noqa: BLE001 - a broken catalog must not stop the text from being read
        return frozenset()
    names = set()
    for group in groups:
        if not isinstance(group, dict):
            continue
        hidden = id(group) in off or (base_off and id(group) not in on)
        if hidden:
            names.add(_text(resolve1(group.get("Name"))))
    return frozenset(names)


def _name(value: object) -> str:
    return str(getattr(value, "name", value or ""))


def _text(value: object) -> str:
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        return value.decode("latin-1")
    return str(value or "")


# --- text of an object, removal, geometry --------------------------------------------------


def _object_text(obj: ctypes.c_void_p, textpage: pdfium.PdfTextPage) -> str:
    size = pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, None, 0)
    if size <= 2:
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, buffer, size)
    return bytes(buffer).decode("utf-16-le", "replace").rstrip("\x00")


def _remove_object(page: ctypes.c_void_p, item: _Found) -> None:
    """Take the object out of the loaded page (the file is not changed) and free it."""
    if item.parent is None:
        removed = pdfium_c.FPDFPage_RemoveObject(page, item.obj)
    else:
        removed = pdfium_c.FPDFFormObj_RemoveObject(item.parent, item.obj)
    if removed:
        pdfium_c.FPDFPageObj_Destroy(item.obj)


def _same_letters(a: str, b: str) -> bool:
    """Do two readings spell the same words? Case, spacing, punctuation and ligatures aside."""

    def letters(s: str) -> str:
        return "".join(_LETTERS_RE.findall(unicodedata.normalize("NFKC", s).casefold()))

    return letters(a) == letters(b)


def _box(values: tuple[float, ...]) -> _Box:
    left, bottom, right, top = values
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def _matrix(obj: ctypes.c_void_p) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """inner then outer (PDF row-vector convention: [x y 1] x inner x outer)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806 - matrix entries
    return (
        a * A + b * C, a * B + b * D,
        c * A + d * C, c * B + d * D,
        e * A + f * C + E, e * B + f * D + F,
    )  # fmt: skip


def _transform_box(box: _Box, m: tuple[float, ...]) -> _Box:
    if m == _IDENTITY:
        return box
    a, b, c, d, e, f = m
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[0], box[3]), (box[2], box[1]), (box[2], box[3])):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)
