"""DOCX extraction with python-docx, reading the body XML directly where the API falls short.

Why walk the XML instead of ``document.paragraphs`` / ``document.tables``: those two lists lose
the interleaving of paragraphs and tables, and ``Paragraph.text`` skips runs inside tracked
insertions (``w:ins``), which drafts under negotiation are full of. Why rebuild list numbers:
Word stores "3.2" or "(a)" only as a numbering definition, not as text, yet clause references
in a report need them.
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

from analyser.document import BlockKind, Document, join_blocks
from analyser.errors import CorruptDocument, NoTextLayer, UnsupportedFormat
from analyser.extract.container import check_zip
from analyser.limits import Limits

_Part = tuple[str, int | None, BlockKind, str | None, int | None]
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# Inline elements and what they contribute to a paragraph's text.
_INLINE_TEXT = {
    qn("w:tab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
    qn("w:softHyphen"): "",
}
# Subtrees that hold no visible body text: properties (w:pPr has tab-stop w:tab elements),
# deleted or moved-away revisions, field instructions, and drawings/text boxes whose
# paragraphs would otherwise run into the paragraph anchoring them.
_SKIP = frozenset(
    qn(tag)
    for tag in (
        "w:pPr", "w:rPr", "w:del", "w:moveFrom", "w:instrText", "w:delInstrText",
        "w:drawing", "w:pict", "w:object", "w:footnoteReference", "w:endnoteReference",
        "w:commentReference",
    )
) | {_MC_FALLBACK}  # fmt: skip
_CONTAINERS = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins")})
_HEADING_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_LEVELS = 9


def extract_docx(
    data: bytes, *, name: str, path: str, sha256: str, limits: Limits | None = None
) -> Document:
    """Extract body paragraphs and tables in order; headers and footers go to furniture."""
    document = _open(data, path, limits or Limits())
    styles = _Styles(document.styles.element)
    numbering = _Numbering(_numbering_root(document), styles)
    reader = _BodyReader(styles, numbering)
    parts = list(reader.blocks(document.element.body))
    text, blocks = join_blocks(parts)
    if not text:
        raise NoTextLayer("DOCX contains no text (images only?) — run OCR first", path)
    # Header paragraphs get their own counters so they cannot shift the body's list numbers.
    header_reader = _BodyReader(styles, _Numbering(None, styles))
    _, furniture = join_blocks(list(_furniture(document, header_reader)))
    return Document(name, path, sha256, "docx", text, blocks, None, furniture)


def _open(data: bytes, path: str, limits: Limits) -> DocxDocument:
    """Open with python-docx, turning its assorted exceptions into one-line reasons.

    The container checks run first even when :func:`analyser.extract.extract_bytes` already
    ran them: this function is public to tests and tools, and python-docx must never see an
    archive that failed them. python-docx's own parser (``resolve_entities=False``, no DTD
    loading, no network) is the second line of defence, not the first.
    """
    if "word/document.xml" not in check_zip(data, limits, path):
        raise CorruptDocument("not a DOCX: ZIP archive without word/document.xml", path)
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


def paragraph_text(p: etree._Element) -> str:
    """Visible text of a ``w:p``, including tracked insertions, excluding deletions."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(element: etree._Element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == qn("w:t"):
            out.append(child.text or "")
        elif tag in _INLINE_TEXT:
            out.append(_INLINE_TEXT[tag])
        else:
            _collect(child, out)


class _BodyReader:
    """Turns block-level XML (body, table cell, header) into parts, advancing list counters."""

    def __init__(self, styles: _Styles, numbering: _Numbering) -> None:
        self._styles = styles
        self._numbering = numbering

    def blocks(self, container: etree._Element) -> Iterator[_Part]:
        for child in container:
            if child.tag == qn("w:p"):
                yield self._paragraph(child)
            elif child.tag == qn("w:tbl"):
                yield from self._table(child)
            elif child.tag in _CONTAINERS:
                yield from self.blocks(child)

    def _paragraph(self, p: etree._Element) -> _Part:
        ppr = p.find(qn("w:pPr"))
        style_id = _val(ppr, "w:pStyle")
        text = paragraph_text(p)
        is_item, label = self._number(ppr, style_id)
        level = self._styles.heading_level(style_id)
        if level is not None:
            return text, None, "heading", label, level
        return text, None, "list_item" if is_item else "paragraph", label, None

    def _number(self, ppr: etree._Element | None, style_id: str | None) -> tuple[bool, str | None]:
        """Resolve direct numPr over the style's; ``numId 0`` switches numbering off."""
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style_num, style_ilvl = self._styles.numbering(style_id)
        num_id = _val(numpr, "w:numId") or style_num
        ilvl = _val(numpr, "w:ilvl") or style_ilvl or "0"
        if not num_id or num_id == "0" or not ilvl.isdigit() or int(ilvl) >= _LEVELS:
            return False, None
        return self._numbering.label(num_id, int(ilvl))

    def _table(self, tbl: etree._Element) -> Iterator[_Part]:
        """One block per cell, row by row; a vertically merged cell is emitted once (at its
        first row) and a horizontally merged one is a single ``w:tc`` already."""
        for tr in _children(tbl, "w:tr"):
            for tc in _children(tr, "w:tc"):
                if _is_merge_continuation(tc):
                    continue
                lines = [part[0] for part in self.blocks(tc) if part[0].strip()]
                yield "\n".join(lines), None, "table_cell", None, None


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


def _furniture(document: DocxDocument, reader: _BodyReader) -> Iterator[_Part]:
    """Header and footer text of every section, each part once, in section order."""
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
            for text, *_ in reader.blocks(related[rid].target_part.element):
                yield text, None, kind, None, None
