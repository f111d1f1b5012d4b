"""DOCX extraction with python-docx, reading the XML directly where the API falls short.

Why walk the XML instead of ``document.paragraphs`` / ``document.tables``: those two lists lose
the interleaving of paragraphs and tables, skip text boxes, footnotes and content controls, and
``Paragraph.text`` skips runs inside tracked insertions (``w:ins``), which drafts under
negotiation are full of. Why rebuild list numbers: Word stores "3.2" or "(a)" only as a
numbering definition, not as text, yet clause references in a report need them.

What is read, and where it goes:

* body paragraphs and tables in order; text boxes (``wps:txbx`` / ``v:textbox``) right after
  the paragraph that anchors them, once, from the ``mc:AlternateContent`` branch Word shows;
  footnotes and endnotes as blocks of kind ``"footnote"`` (``Block.part`` "footnote 3" /
  "endnote i", the mark the reader sees) right after the paragraph that cites them; content
  controls; the result text of fields, never their instructions;
* headers, footers and comments to ``Document.furniture`` (shown, never analysed); the lines
  of a table of contents to ``Document.skipped``;
* text a reader cannot see (:mod:`analyser.extract.visibility`) to ``Document.hidden``.

Tracked changes are read as accepted: ``w:ins`` kept, ``w:del`` / ``w:moveFrom`` skipped.
:func:`read_document` takes an optional replacement body so the "before" reading of a redline
can reuse this parser on a transformed ``document.xml`` tree.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from lxml import etree

from analyser.document import (
    Block,
    BlockKind,
    Document,
    HiddenPassage,
    HiddenReason,
    SkippedPassage,
    join_blocks,
)
from analyser.errors import CorruptDocument, NoTextLayer, UnsupportedFormat
from analyser.extract.container import check_zip
from analyser.extract.strict import transitional_from_strict
from analyser.extract.visibility import (
    MC_ALTERNATE,
    RunVisibility,
    branch_text,
    choose_branch,
    deleted_row,
    hidden_drawing,
    shading_fill,
)
from analyser.limits import Limits

_HEADING_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_TOC_STYLE_RE = re.compile(r"^toc\s*(\d|heading)", re.IGNORECASE)
_LEVELS = 9


def extract_docx(
    data: bytes, *, name: str, path: str, sha256: str, limits: Limits | None = None
) -> Document:
    """Extract what a reader of the DOCX sees; headers, footers and comments go to furniture."""
    document = open_docx(data, path, limits or Limits())
    return read_document(document, name=name, path=path, sha256=sha256)


def read_document(
    document: DocxDocument,
    *,
    name: str,
    path: str,
    sha256: str,
    body: etree._Element | None = None,
) -> Document:
    """Read an opened DOCX into a :class:`Document`.

    ``body`` replaces ``document.xml``'s ``w:body`` (a transformed copy, e.g. with tracked
    changes rejected); styles, numbering, notes and comments still come from the package.
    """
    styles = _Styles(document.styles.element)
    visibility = RunVisibility(document.styles.element, _page_colour(document))
    notes = _Notes(document)
    reader = _Reader(styles, _Numbering(_numbering_root(document), styles), visibility, notes)
    parts = list(reader.blocks(body if body is not None else document.element.body))
    text, blocks = _join(parts)
    if not text:
        if reader.hidden:
            reason = f"DOCX has no visible text ({len(reader.hidden)} hidden passages only)"
            raise NoTextLayer(reason, path)
        raise NoTextLayer("DOCX contains no text (images only?) — run OCR first", path)
    # Header paragraphs get their own counters so they cannot shift the body's list numbers.
    aside = _Reader(styles, _Numbering(None, styles), visibility, None)
    _, furniture = _join(list(_furniture(document, aside)))
    return Document(
        name,
        path,
        sha256,
        "docx",
        text,
        blocks,
        None,
        furniture,
        hidden=reader.hidden,
        skipped=reader.skipped,
    )


def _join(parts: list[_Part]) -> tuple[str, list[Block]]:
    """:func:`join_blocks` over the non-empty parts, then each block's ``part`` filled in."""
    kept = [p for p in parts if p.text.strip()]
    text, blocks = join_blocks([(p.text, None, p.kind, p.number, p.level) for p in kept])
    return text, [
        Block(b.text, b.start, b.end, b.page, b.kind, b.number, b.level, part=p.part)
        for b, p in zip(blocks, kept, strict=True)
    ]


def _page_colour(document: DocxDocument) -> str | None:
    background = document.element.find(qn("w:background"))
    return None if background is None else background.get(qn("w:color"))


def open_docx(data: bytes, path: str, limits: Limits) -> DocxDocument:
    """Open with python-docx, turning its assorted exceptions into one-line reasons.

    The container checks run first even when :func:`analyser.extract.extract_bytes` already
    ran them: this function is public to tests and tools, and python-docx must never see an
    archive that failed them. python-docx's own parser (``resolve_entities=False``, no DTD
    loading, no network) is the second line of defence, not the first.
    """
    if "word/document.xml" not in check_zip(data, limits, path):
        raise CorruptDocument("not a DOCX: ZIP archive without word/document.xml", path)
    data = transitional_from_strict(data) or data
    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as e:
        if "not a Word file" in str(e):
            raise UnsupportedFormat(
                "macro-enabled or template Word file — save it as a plain .docx", path
            ) from e
        raise CorruptDocument(f"damaged DOCX: {e}", path) from e
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as e:
        raise CorruptDocument(f"damaged DOCX: {type(e).__name__}: {e}", path) from e


def _numbering_root(document: DocxDocument) -> etree._Element | None:
    """The numbering part's XML, without letting python-docx create an empty one."""
    try:
        part = document.part.part_related_by(RT.NUMBERING)
    except KeyError:
        return None
    return part.element if isinstance(part, XmlPart) else None


def _val(element: etree._Element | None, tag: str) -> str | None:
    """``w:val`` of the child ``tag`` of ``element``; None when either is missing."""
    if element is None:
        return None
    child = element.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


# --- styles ------------------------------------------------------------------------------


@dataclass
class _Style:
    name: str
    based_on: str | None
    num_id: str | None
    ilvl: str | None
    outline: int | None


class _Styles:
    """Paragraph styles by id, resolved along ``w:basedOn`` (a custom "Clause heading" based on
    "Heading 2" is a heading; "List Number" carries its numbering in the style)."""

    def __init__(self, root: etree._Element) -> None:
        self._styles: dict[str, _Style] = {}
        for style in root.iterfind(qn("w:style")):
            if style.get(qn("w:type")) != "paragraph":
                continue
            ppr = style.find(qn("w:pPr"))
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            outline = _val(ppr, "w:outlineLvl")
            self._styles[style.get(qn("w:styleId"), "")] = _Style(
                name=_val(style, "w:name") or "",
                based_on=_val(style, "w:basedOn"),
                num_id=_val(numpr, "w:numId"),
                ilvl=_val(numpr, "w:ilvl"),
                outline=int(outline) if outline and outline.isdigit() else None,
            )

    def _chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            style_id = style.based_on

    def heading_level(self, style_id: str | None) -> int | None:
        """``Heading N`` -> N, ``Title`` -> 0, else an outline level 0-8 -> 1-9."""
        for style in self._chain(style_id):
            match = _HEADING_RE.match(style.name)
            if match:
                return int(match.group(1))
            if style.name.lower() == "title":
                return 0
            if style.outline is not None and style.outline < _LEVELS:
                return style.outline + 1
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        """(numId, ilvl) a style gives its paragraphs, inherited through basedOn."""
        num_id = ilvl = None
        for style in self._chain(style_id):
            num_id = num_id or style.num_id
            ilvl = ilvl or style.ilvl
        return num_id, ilvl

    def is_toc(self, style_id: str | None) -> bool:
        """Word's "TOC 1".."TOC 9" / "TOC Heading" styles: lines of a table of contents."""
        return any(_TOC_STYLE_RE.match(style.name) for style in self._chain(style_id))

    def num_id_of(self, style_id: str) -> str | None:
        return self._styles[style_id].num_id if style_id in self._styles else None


# --- numbering ---------------------------------------------------------------------------


@dataclass
class _Level:
    start: int = 0  # ECMA-376: an omitted w:start means 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None
    legal: bool = False


@dataclass
class _Num:
    abstract: str
    levels: dict[int, _Level]
    start_overrides: dict[int, int] = field(default_factory=dict)


def _level(lvl: etree._Element) -> _Level:
    start, restart = _val(lvl, "w:start"), _val(lvl, "w:lvlRestart")
    return _Level(
        start=int(start) if start and start.lstrip("-").isdigit() else 0,
        fmt=_val(lvl, "w:numFmt") or "decimal",
        text=_val(lvl, "w:lvlText") or "",
        restart=int(restart) if restart and restart.isdigit() else None,
        legal=lvl.find(qn("w:isLgl")) is not None,
    )


def _levels(element: etree._Element) -> dict[int, _Level]:
    return {int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in element.iterfind(qn("w:lvl"))}


class _Numbering:
    """Replays Word's list counters over the paragraphs in document order.

    Counters belong to the abstract list definition, as in Word: two ``w:num`` instances of one
    abstractNum continue each other's numbering unless one carries a ``w:startOverride``, which
    is how Word encodes "restart numbering". Numbering a level resets all deeper levels.
    """

    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self._nums: dict[str, _Num] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._started: set[str] = set()
        if root is None:
            return
        abstracts = {
            a.get(qn("w:abstractNumId"), ""): a for a in root.iterfind(qn("w:abstractNum"))
        }
        num_elements = {n.get(qn("w:numId"), ""): n for n in root.iterfind(qn("w:num"))}
        for num_id, num in num_elements.items():
            abstract_id = _val(num, "w:abstractNumId") or ""
            abstract_id = self._follow_style_link(abstracts, num_elements, abstract_id, styles)
            if abstract_id not in abstracts:
                continue
            parsed = _Num(abstract_id, dict(_levels(abstracts[abstract_id])))
            for override in num.iterfind(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = _val(override, "w:startOverride")
                if start and start.isdigit():
                    parsed.start_overrides[ilvl] = int(start)
                parsed.levels.update(_levels(override))
            self._nums[num_id] = parsed

    @staticmethod
    def _follow_style_link(
        abstracts: dict[str, etree._Element],
        nums: dict[str, etree._Element],
        abstract_id: str,
        styles: _Styles,
    ) -> str:
        """An abstractNum with ``w:numStyleLink`` takes its levels from a numbering style."""
        link = _val(abstracts.get(abstract_id), "w:numStyleLink")
        linked_num = styles.num_id_of(link) if link else None
        if linked_num and linked_num in nums:
            return _val(nums[linked_num], "w:abstractNumId") or abstract_id
        return abstract_id

    def label(self, num_id: str, ilvl: int) -> tuple[bool, str | None]:
        """Advance the counters for one paragraph: (is a list item, rendered label or None)."""
        num = self._nums.get(num_id)
        if num is None or ilvl not in num.levels:
            return False, None
        counters = self._counters.setdefault(num.abstract, [None] * _LEVELS)
        if num_id not in self._started:
            self._started.add(num_id)
            for level, start in num.start_overrides.items():
                counters[level] = start - 1 if level < _LEVELS else None
        current = counters[ilvl]
        counters[ilvl] = num.levels[ilvl].start if current is None else current + 1
        for deeper in range(ilvl + 1, _LEVELS):
            restart = num.levels.get(deeper, _Level()).restart
            if restart is None or (restart > 0 and ilvl < restart):
                counters[deeper] = None
        return True, self._render(num, ilvl, counters)

    @staticmethod
    def _render(num: _Num, ilvl: int, counters: list[int | None]) -> str | None:
        level = num.levels[ilvl]
        if level.fmt in ("bullet", "none"):
            return None

        def substitute(match: re.Match[str]) -> str:
            ref = int(match.group(1)) - 1
            ref_level = num.levels.get(ref, _Level())
            value = counters[ref] if 0 <= ref < _LEVELS else None
            value = ref_level.start if value is None else value
            return _format_number(value, "decimal" if level.legal else ref_level.fmt)

        label = re.sub(r"%([1-9])", substitute, level.text).strip()
        return label or None


def _format_number(value: int, fmt: str) -> str:
    """Render a counter the way Word's common ``w:numFmt`` values do; unknown ones as decimal."""
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and value > 0:
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "ordinal":
        suffix = (
            "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
        )
        return f"{value}{suffix}"
    return str(value)


def _roman(value: int) -> str:
    out = []
    for number, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, value = divmod(value, number)
        out.append(numeral * count)
    return "".join(out)


# --- body --------------------------------------------------------------------------------

_W_T, _W_R, _W_P, _W_TBL = qn("w:t"), qn("w:r"), qn("w:p"), qn("w:tbl")
_TXBX_CONTENT = qn("w:txbxContent")
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
# Inline elements and what they contribute to a paragraph's text.
_INLINE_TEXT = {
    qn("w:tab"): "\t",
    qn("w:ptab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
    qn("w:softHyphen"): "",
}
# Subtrees that hold no text a reader sees: properties (w:pPr has tab-stop w:tab elements),
# deleted or moved-away revisions, content-control properties (placeholder references).
_SKIP_INLINE = frozenset(
    qn(tag)
    for tag in ("w:pPr", "w:rPr", "w:del", "w:moveFrom", "w:sdtPr", "w:sdtEndPr", "w:customXmlPr")
)
# Inside a run: what is not text (the reference marks of notes and comments stand for text
# that is read elsewhere; w:footnoteRef is the number printed at the start of a note).
_SKIP_IN_RUN = frozenset(
    qn(tag)
    for tag in (
        "w:rPr", "w:delText", "w:instrText", "w:delInstrText", "w:footnoteRef", "w:endnoteRef",
        "w:annotationRef", "w:commentReference", "w:separator", "w:continuationSeparator",
        "w:lastRenderedPageBreak", "w:sym", "w:fldChar",
    )
)  # fmt: skip
_CONTAINERS = frozenset(
    {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:moveTo")}
)
_NOTE_REFERENCES = {qn("w:footnoteReference"): "footnote", qn("w:endnoteReference"): "endnote"}
_DRAWINGS = frozenset({qn("w:drawing"), qn("w:pict"), qn("w:object")})
# Typed clause numbers at a paragraph's start, to name the section of a hidden passage.
_TYPED_SECTION_RE = re.compile(
    r"^(?:(?:Article|Artikkel|Section|Clause|Paragraph|Annex|Vedlegg|§)\s*\d+[\w.()]*"
    r"|\d+(?:\.\d+)*\.?(?=\s))",
    re.IGNORECASE,
)
# Text boxes of a Word file converted from PDF hold one line each. Consecutive single-line
# boxes are one paragraph when they are the same size, start within 1 cm of each other
# horizontally, and the next one starts within 1.25 box heights of the previous one (a gap
# between paragraphs is at least half a line more).
_LINE_PITCH = 1.25
_SAME_COLUMN_EMU = 360_000  # 1 cm


@dataclass
class _Part:
    """One block to be: text, what it is, and whether it follows its anchor (a note or box)."""

    text: str
    kind: BlockKind = "paragraph"
    number: str | None = None
    level: int | None = None
    part: str | None = None
    attached: bool = False


@dataclass
class _Box:
    """A text box's content and, for a positioned (anchored) DrawingML box, its geometry."""

    content: etree._Element
    frame: tuple[str, str] | None = None  # relativeFrom (horizontal, vertical)
    x: int = 0
    y: int = 0
    height: int = 0
    size: int | None = None  # largest w:sz of its runs, half-points


@dataclass
class _Inline:
    """What walking one paragraph found."""

    text: list[str] = field(default_factory=list)
    hidden: list[tuple[HiddenReason, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (footnote|endnote, id)
    boxes: list[_Box] = field(default_factory=list)
    toc: bool = False

    def add(self, text: str, reason: HiddenReason | None) -> None:
        if reason is None:
            self.text.append(text)
        elif self.hidden and self.hidden[-1][0] == reason:
            self.hidden[-1] = (reason, self.hidden[-1][1] + text)
        else:
            self.hidden.append((reason, text))


@dataclass
class _Field:
    """A complex field (w:fldChar begin/separate/end): its instruction is never text."""

    instruction: str = ""
    in_result: bool = False


class _Notes:
    """Footnotes and endnotes by id, with the marks Word prints for them.

    Marks count references in document order from ``numStart`` in ``numFmt`` (document
    settings, overridden by the body's final ``w:sectPr``); Word's defaults are decimal
    footnotes and lower-roman endnotes. Restarting per section or page is not modelled.
    """

    _DEFAULT_FORMAT = {"footnote": "decimal", "endnote": "lowerRoman"}

    def __init__(self, document: DocxDocument) -> None:
        self._notes: dict[str, dict[str, etree._Element]] = {"footnote": {}, "endnote": {}}
        self._format = dict(self._DEFAULT_FORMAT)
        self._next = {"footnote": 1, "endnote": 1}
        for kind, relation in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES)):
            root = _related_root(document, relation)
            if root is None:
                continue
            for note in root.iterfind(qn(f"w:{kind}")):
                if note.get(qn("w:type")) in (None, "normal"):
                    self._notes[kind][note.get(qn("w:id"), "")] = note
        settings = _related_root(document, RT.SETTINGS)
        sect_pr = document.element.body.find(qn("w:sectPr"))
        for source in (settings, sect_pr):
            for kind in ("footnote", "endnote"):
                props = source.find(qn(f"w:{kind}Pr")) if source is not None else None
                fmt, start = _val(props, "w:numFmt"), _val(props, "w:numStart")
                if fmt:
                    self._format[kind] = fmt
                if start and start.isdigit():
                    self._next[kind] = int(start)

    def take(self, kind: str, note_id: str) -> tuple[str, etree._Element] | None:
        """The note's printed label ("footnote 3") and element, advancing the count."""
        note = self._notes[kind].get(note_id)
        if note is None:
            return None
        value = self._next[kind]
        self._next[kind] += 1
        return f"{kind} {_format_number(value, self._format[kind])}", note

    def element(self, kind: str, note_id: str) -> etree._Element | None:
        return self._notes[kind].get(note_id)


def _related_root(document: DocxDocument, relation: str) -> etree._Element | None:
    try:
        part = document.part.part_related_by(relation)
    except KeyError:
        return None
    if isinstance(part, XmlPart):
        return part.element
    try:  # python-docx loads parts it has no class for as plain bytes
        return etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False))
    except (etree.XMLSyntaxError, ValueError):
        return None


class _Reader:
    """Turns block-level XML (body, table cell, text box, note, header) into parts.

    Advances list counters, note marks and field state in document order, and collects what a
    reader cannot see (``hidden``) and tables of contents (``skipped``).
    """

    def __init__(
        self,
        styles: _Styles,
        numbering: _Numbering,
        visibility: RunVisibility,
        notes: _Notes | None,
    ) -> None:
        self._styles = styles
        self._numbering = numbering
        self._visibility = visibility
        self._notes = notes
        self._fields: list[_Field] = []
        self._section: str | None = None
        self._toc_depth = 0  # inside a "Table of Contents" content control
        self._toc_results = 0  # TOC field results begun so far
        self.hidden: list[HiddenPassage] = []
        self.skipped: list[SkippedPassage] = []

    # block level

    def blocks(self, container: etree._Element, behind: str | None = None) -> Iterator[_Part]:
        for child in container:
            if child.tag == _W_P:
                yield from self._paragraph(child, behind)
            elif child.tag == _W_TBL:
                yield from self._table(child, behind)
            elif child.tag == qn("w:sdt") and _is_toc_control(child):
                self._toc_depth += 1
                yield from self.blocks(child, behind)
                self._toc_depth -= 1
            elif child.tag in _CONTAINERS:
                yield from self.blocks(child, behind)
            elif child.tag == MC_ALTERNATE:
                shown = self._alternate(child)
                if shown is not None:
                    yield from self.blocks(shown, behind)

    def _paragraph(self, p: etree._Element, behind: str | None) -> Iterator[_Part]:
        ppr = p.find(qn("w:pPr"))
        style_id = _val(ppr, "w:pStyle")
        toc_before = self._toc_results
        found = _Inline(toc=self._styles.is_toc(style_id) or self._in_toc_field())
        behind = self._visibility.paragraph_fill(ppr, style_id) or behind
        self._inline(p, found, style_id, behind)
        found.toc = found.toc or self._toc_depth > 0 or self._toc_results != toc_before
        self._end_paragraph_fields()
        text = "".join(found.text)
        for reason, hidden in found.hidden:
            if hidden.strip():
                self.hidden.append(HiddenPassage(hidden.strip(), reason, None, self._section))
        is_item, label = self._number(ppr, style_id)
        level = self._styles.heading_level(style_id)
        if found.toc and text.strip():
            self.skipped.append(SkippedPassage(text.strip(), "table_of_contents"))
        elif level is not None:
            yield _Part(text, "heading", label, level)
        else:
            yield _Part(text, "list_item" if is_item else "paragraph", label)
        if not found.toc and text.strip():
            self._section = _section_name(label, text, level is not None) or self._section
        yield from self._note_parts(found.notes)
        yield from self._box_parts(found.boxes)

    def _number(self, ppr: etree._Element | None, style_id: str | None) -> tuple[bool, str | None]:
        """Resolve direct numPr over the style's; ``numId 0`` switches numbering off."""
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style_num, style_ilvl = self._styles.numbering(style_id)
        num_id = _val(numpr, "w:numId") or style_num
        ilvl = _val(numpr, "w:ilvl") or style_ilvl or "0"
        if not num_id or num_id == "0" or not ilvl.isdigit() or int(ilvl) >= _LEVELS:
            return False, None
        return self._numbering.label(num_id, int(ilvl))

    def _table(self, tbl: etree._Element, behind: str | None) -> Iterator[_Part]:
        """One block per cell, row by row; a vertically merged cell is emitted once (at its
        first row) and a horizontally merged one is a single ``w:tc`` already. Notes and text
        boxes cited in a cell follow the cell."""
        for tr in _children(tbl, "w:tr"):
            if deleted_row(tr):
                text = " ".join(branch_text(tr).split())
                if text:
                    self.hidden.append(HiddenPassage(text, "deleted_row", None, self._section))
                continue
            for tc in _children(tr, "w:tc"):
                if _is_merge_continuation(tc):
                    continue
                tcpr = tc.find(qn("w:tcPr"))
                fill = shading_fill(tcpr.find(qn("w:shd")) if tcpr is not None else None)
                inner = list(self.blocks(tc, fill or behind))
                lines = [part.text for part in inner if not part.attached and part.text.strip()]
                yield _Part("\n".join(lines), "table_cell")
                yield from (part for part in inner if part.attached)

    # inline level

    def _inline(
        self, element: etree._Element, found: _Inline, style: str | None, behind: str | None
    ) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_INLINE:
                continue
            if tag == _W_R:
                reason = self._visibility.reason(child, style, behind)
                self._run(child, found, reason, style, behind)
            elif tag == MC_ALTERNATE:
                shown = self._alternate(child)
                if shown is not None:
                    self._inline(shown, found, style, behind)
            else:  # hyperlinks, insertions, content controls, smart tags, simple fields
                self._inline(child, found, style, behind)

    def _run(
        self,
        run: etree._Element,
        found: _Inline,
        reason: HiddenReason | None,
        style: str | None,
        behind: str | None,
    ) -> None:
        for child in run:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == qn("w:fldChar"):
                self._field_char(child.get(qn("w:fldCharType")))
                continue
            if tag == qn("w:instrText") and self._fields and not self._fields[-1].in_result:
                self._fields[-1].instruction += child.text or ""
                continue
            if tag in _SKIP_IN_RUN or self._in_instruction():
                continue
            if tag == _W_T:
                found.add(child.text or "", reason)
            elif tag in _INLINE_TEXT:
                found.add(_INLINE_TEXT[tag], reason)
            elif tag in _NOTE_REFERENCES:
                self._note_reference(_NOTE_REFERENCES[tag], child, found, reason)
            elif tag in _DRAWINGS:
                self._drawing(child, found, reason)
            elif tag == MC_ALTERNATE:
                shown = self._alternate(child)
                if shown is not None:
                    self._run(shown, found, reason, style, behind)
            elif tag == _W_R:  # ruby base text and other nested runs
                self._run(child, found, reason, style, behind)
            else:
                self._inline(child, found, style, behind)

    def _note_reference(
        self, kind: str, ref: etree._Element, found: _Inline, reason: HiddenReason | None
    ) -> None:
        note_id = ref.get(qn("w:id"), "")
        if self._notes is None:
            return
        if reason is not None:  # a hidden reference hides its note, and takes no number
            note = self._notes.element(kind, note_id)
            if note is not None:
                found.add(" " + branch_text(note) + " ", reason)
            return
        found.notes.append((kind, note_id))

    def _drawing(
        self, drawing: etree._Element, found: _Inline, reason: HiddenReason | None
    ) -> None:
        reason = reason or ("other" if hidden_drawing(drawing) else None)
        geometry = _anchor_geometry(drawing)
        for content in _text_boxes(drawing):
            if reason is not None:
                found.add(" " + branch_text(content) + " ", reason)
                continue
            frame, x, y, height = geometry or (None, 0, 0, 0)
            found.boxes.append(_Box(content, frame, x, y, height, _largest_size(content)))

    # fields

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self._fields.append(_Field())
        elif kind == "separate" and self._fields:
            self._fields[-1].in_result = True
            if self._fields[-1].instruction.split()[:1] == ["TOC"]:
                self._toc_results += 1
        elif kind == "end" and self._fields:
            self._fields.pop()

    def _in_instruction(self) -> bool:
        return any(not f.in_result for f in self._fields)

    def _in_toc_field(self) -> bool:
        return any(f.in_result and f.instruction.split()[:1] == ["TOC"] for f in self._fields)

    def _end_paragraph_fields(self) -> None:
        """An instruction never spans paragraphs; a result may (a table of contents does).
        Dropping unfinished instructions here keeps one malformed field from swallowing the
        rest of the document."""
        while self._fields and not self._fields[-1].in_result:
            self._fields.pop()

    # notes, text boxes, unshown branches

    def _note_parts(self, references: list[tuple[str, str]]) -> Iterator[_Part]:
        if self._notes is None:
            return
        for kind, note_id in references:
            taken = self._notes.take(kind, note_id)
            if taken is None:
                continue
            label, note = taken
            inner = list(self.blocks(note))
            text = "\n".join(p.text.strip() for p in inner if p.text.strip())
            yield _Part(text, "footnote", part=label, attached=True)

    def _box_parts(self, boxes: list[_Box]) -> Iterator[_Part]:
        frames = {box.frame for box in boxes}
        if len(frames) == 1 and None not in frames:
            boxes = sorted(boxes, key=lambda box: (box.y, box.x))
        previous: _Box | None = None
        pending: _Part | None = None
        for box in boxes:
            inner = list(self.blocks(box.content))
            line = inner[0] if len(inner) == 1 and inner[0].kind == "paragraph" else None
            if line and not line.number and pending and previous and _same_paragraph(previous, box):
                pending.text = _join_lines(pending.text, line.text)
                previous = box
                continue
            if pending:
                yield pending
            pending, previous = None, None
            if line and not line.number and box.frame is not None:
                pending, previous = _Part(line.text, attached=True), box
                continue
            for part in inner:
                part.attached = True
                yield part
        if pending:
            yield pending

    def _alternate(self, alternate: etree._Element) -> etree._Element | None:
        """The branch of an ``mc:AlternateContent`` Word shows; the others are hidden text
        only where they say something the shown one does not (the VML fallback copy of a
        text box is the same text, not a secret)."""
        shown, others = choose_branch(alternate)
        visible = " ".join(branch_text(shown).split()) if shown is not None else ""
        for branch in others:
            text = " ".join(branch_text(branch).split())
            if text and text not in visible:
                self.hidden.append(HiddenPassage(text, "alternate_content", None, self._section))
        return shown


def _section_name(label: str | None, text: str, heading: bool) -> str | None:
    """A short name for where a paragraph stands, for listing hidden passages near it."""
    if label:
        return label.rstrip(".")
    match = _TYPED_SECTION_RE.match(text.strip())
    if match:
        return match.group(0).rstrip(".")
    return " ".join(text.split())[:60] if heading else None


def _is_toc_control(sdt: etree._Element) -> bool:
    """Word wraps a table of contents in a content control of this document-part gallery."""
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and gallery.get(qn("w:val")) == "Table of Contents"


def _text_boxes(element: etree._Element) -> Iterator[etree._Element]:
    """``w:txbxContent`` of a drawing, outermost only (a box's own boxes are read with it),
    looking only into the AlternateContent branches Word shows."""
    for child in element:
        if child.tag == _TXBX_CONTENT:
            yield child
        elif child.tag == MC_ALTERNATE:
            shown, _ = choose_branch(child)
            if shown is not None:
                yield from _text_boxes(shown)
        elif isinstance(child.tag, str):
            yield from _text_boxes(child)


def _anchor_geometry(drawing: etree._Element) -> tuple[tuple[str, str], int, int, int] | None:
    """(relativeFrom pair, x, y, height) in EMU of a positioned DrawingML object."""
    anchor = drawing.find(f".//{{{_WP}}}anchor")
    if anchor is None:
        return None
    horizontal = anchor.find(f"{{{_WP}}}positionH")
    vertical = anchor.find(f"{{{_WP}}}positionV")
    extent = anchor.find(f"{{{_WP}}}extent")
    if horizontal is None or vertical is None:
        return None
    x = _offset(horizontal)
    y = _offset(vertical)
    if x is None or y is None:
        return None
    height = _emu(extent.get("cy") if extent is not None else None) or 0
    frame = (horizontal.get("relativeFrom", ""), vertical.get("relativeFrom", ""))
    return frame, x, y, height


def _offset(position: etree._Element) -> int | None:
    offset = position.find(f"{{{_WP}}}posOffset")
    return None if offset is None else _emu(offset.text)


def _emu(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _largest_size(content: etree._Element) -> int | None:
    sizes = [_emu(sz.get(qn("w:val"))) for sz in content.iter(qn("w:sz"))]
    return max((s for s in sizes if s is not None), default=None)


def _same_paragraph(previous: _Box, box: _Box) -> bool:
    if previous.frame is None or previous.frame != box.frame or previous.size != box.size:
        return False
    pitch = box.y - previous.y
    return (
        0 < pitch <= _LINE_PITCH * max(previous.height, 1)
        and abs(box.x - previous.x) <= _SAME_COLUMN_EMU
    )


def _join_lines(first: str, second: str) -> str:
    """Join two lines of one paragraph; a line-end hyphen stays and takes no space."""
    first, second = first.rstrip(), second.lstrip()
    return first + second if first.endswith("-") else first + " " + second


def _children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Direct children with ``tag``, looking through content controls wrapping rows/cells."""
    for child in element:
        if child.tag == qn(tag):
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def _is_merge_continuation(tc: etree._Element) -> bool:
    tcpr = tc.find(qn("w:tcPr"))
    vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
    return vmerge is not None and vmerge.get(qn("w:val"), "continue") != "restart"


def _furniture(document: DocxDocument, reader: _Reader) -> Iterator[_Part]:
    """Header and footer text of every section, each part once, in section order; then the
    comments, with their authors."""
    body = document.element.body
    seen: set[str] = set()
    related = document.part.rels
    for sect_pr in body.iter(qn("w:sectPr")):
        for ref in sect_pr:
            kind: BlockKind
            if ref.tag == qn("w:headerReference"):
                kind = "header"
            elif ref.tag == qn("w:footerReference"):
                kind = "footer"
            else:
                continue
            rid = ref.get(qn("r:id"), "")
            if rid in seen or rid not in related:
                continue
            seen.add(rid)
            for part in reader.blocks(related[rid].target_part.element):
                yield _Part(part.text, kind)
    comments = _related_root(document, RT.COMMENTS)
    if comments is not None:
        for comment in comments.iterfind(qn("w:comment")):
            text = "\n".join(p.text.strip() for p in reader.blocks(comment) if p.text.strip())
            author = comment.get(qn("w:author"))
            yield _Part(f"{author}: {text}" if author and text else text, "comment")
