"""What a reader of a DOCX actually sees: the decisions that keep invisible text out of analysis.

A partner's draft can carry text Word never shows: hidden runs (``w:vanish``, directly or
through a style), 1-pt or white-on-white text, a table row that is a pending deletion, or the
branch of an ``mc:AlternateContent`` Word does not pick. If such text were analysed, a clause
nobody can read in the draft would be reported present. :mod:`analyser.extract.docx` asks this
module, run by run and row by row, whether the text is visible, and sends what is not to
``Document.hidden`` with the reason given here.

PDF visibility (render modes, clipping, optional content) is decided by the PDF extractor's own
module; this one knows only WordprocessingML.

Sources: ECMA-376 Part 1 (5th ed.) §17.3.2 run properties (``vanish`` §17.3.2.41, ``sz``
§17.3.2.38, ``color`` §17.3.2.6, ``shd`` §17.3.2.32, ``highlight`` §17.3.2.15, ``w``
§17.3.2.43), §17.7.3 toggle properties, §17.13.5 revisions (``w:trPr/w:del`` §17.13.5.12);
ECMA-376 Part 3 §10.2 (Markup Compatibility: ``AlternateContent``, ``Choice/@Requires``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from docx.oxml.ns import qn
from lxml import etree

from analyser.document import HiddenReason

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MC_ALTERNATE = f"{{{MC}}}AlternateContent"
MC_CHOICE = f"{{{MC}}}Choice"
MC_FALLBACK = f"{{{MC}}}Fallback"

# Namespaces Word 2016 and later understand, so an mc:Choice requiring only these is the branch
# Word shows (ECMA-376 Part 3 §10.2.1: the first Choice whose Requires namespaces are all
# "understood" is selected, otherwise the Fallback). Lists from [MS-DOCX] §2.1 / [MS-ODRAWXML].
UNDERSTOOD_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://schemas.openxmlformats.org/officeDocument/2006/math",
        "http://schemas.openxmlformats.org/drawingml/2006/main",
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
        "http://schemas.openxmlformats.org/drawingml/2006/picture",
        "http://schemas.openxmlformats.org/drawingml/2006/chart",
        "http://schemas.openxmlformats.org/drawingml/2006/diagram",
        "http://schemas.openxmlformats.org/drawingml/2006/lockedCanvas",
        "http://schemas.openxmlformats.org/markup-compatibility/2006",
        "urn:schemas-microsoft-com:vml",
        "urn:schemas-microsoft-com:office:office",
        "urn:schemas-microsoft-com:office:word",
        "http://schemas.microsoft.com/office/word/2006/wordml",  # wne
        "http://schemas.microsoft.com/office/word/2010/wordml",  # w14
        "http://schemas.microsoft.com/office/word/2012/wordml",  # w15
        "http://schemas.microsoft.com/office/word/2015/wordml/symex",  # w16se
        "http://schemas.microsoft.com/office/word/2016/wordml/cid",  # w16cid
        "http://schemas.microsoft.com/office/word/2018/wordml",  # w16
        "http://schemas.microsoft.com/office/word/2018/wordml/cex",  # w16cex
        "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash",  # w16sdtdh
        "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",  # wps
        "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",  # wpg
        "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",  # wpc
        "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",  # wpi
        "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",  # wp14
        "http://schemas.microsoft.com/office/drawing/2010/main",  # a14
        "http://schemas.microsoft.com/office/drawing/2014/main",  # a16
        "http://schemas.microsoft.com/office/drawing/2016/ink",  # aink
        "http://schemas.microsoft.com/office/drawing/2017/model3d",  # am3d
        "http://schemas.microsoft.com/office/drawing/2010/chart",  # c14
        "http://schemas.microsoft.com/office/drawing/2014/chartex",  # cx
        "http://schemas.microsoft.com/office/drawing/2016/SVG/main",  # asvg
        "http://schemas.microsoft.com/office/mac/office/2008/main",  # mo
        "http://schemas.microsoft.com/office/mac/drawingml/2008/main",  # mv
    }
)

# 2 pt: below this no one reads a line on paper or at 100 % zoom; w:sz counts half-points.
TINY_HALF_POINTS = 4
# Character scaling (w:w, percent) this narrow squeezes a word into a hairline.
TINY_SCALE_PERCENT = 10
# WCAG contrast ratio under which text and background are the same colour to a reader (normal
# text needs 4.5:1; FFFFFF on FFFFFF is 1:1, F0F0F0 on white about 1.14:1).
MIN_CONTRAST = 1.15
_WHITE = (255, 255, 255)
# w:highlight names (ECMA-376 §17.18.40) and their RGB.
_HIGHLIGHT = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00",
    "magenta": "FF00FF", "red": "FF0000", "yellow": "FFFF00", "white": "FFFFFF",
    "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000", "darkMagenta": "800080",
    "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080", "lightGray": "C0C0C0",
}  # fmt: skip
_FALSE = frozenset({"0", "false", "off", "none"})


# --- AlternateContent ----------------------------------------------------------------------


def choose_branch(alternate: etree._Element) -> tuple[etree._Element | None, list[etree._Element]]:
    """(the branch Word shows, the branches it does not) of an ``mc:AlternateContent``.

    A Choice is taken only when every prefix in its ``Requires`` names a namespace Word
    understands; an undeclared prefix counts as not understood. No match: the Fallback (or
    nothing, if there is none).
    """
    branches = [b for b in alternate if b.tag in (MC_CHOICE, MC_FALLBACK)]
    shown: etree._Element | None = None
    for branch in branches:
        if branch.tag == MC_CHOICE and _understood(branch):
            shown = branch
            break
    if shown is None:
        shown = next((b for b in branches if b.tag == MC_FALLBACK), None)
    return shown, [b for b in branches if b is not shown]


def _understood(choice: etree._Element) -> bool:
    prefixes = (choice.get("Requires") or "").split()
    if not prefixes:
        return False  # Requires is mandatory (Part 3 §10.2.2); without it nothing is known
    scope = choice.nsmap
    return all(scope.get(prefix) in UNDERSTOOD_NAMESPACES for prefix in prefixes)


def branch_text(branch: etree._Element) -> str:
    """All ``w:t`` text of a subtree read as one passage (paragraphs and tabs as spaces): for
    text that is listed, not analysed, such as a branch Word does not show."""
    out: list[str] = []
    for element in branch.iter(qn("w:t"), qn("w:p"), qn("w:tab"), qn("w:br")):
        out.append(element.text or "" if element.tag == qn("w:t") else " ")
    return "".join(out)


# --- rows and drawings ------------------------------------------------------------------


def deleted_row(tr: etree._Element) -> bool:
    """A row marked as a pending deletion: gone once the changes are accepted (§17.13.5.12)."""
    trpr = tr.find(qn("w:trPr"))
    return trpr is not None and trpr.find(qn("w:del")) is not None


_WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def hidden_drawing(drawing: etree._Element) -> bool:
    """A DrawingML object with ``docPr/@hidden`` or a VML shape styled ``visibility:hidden``."""
    for docpr in drawing.iter(_WP_DOCPR):
        if docpr.get("hidden") in ("1", "true"):
            return True
    for shape in drawing.iter():
        style = shape.get("style") if isinstance(shape.tag, str) else None
        if style and "visibility:hidden" in style.replace(" ", "").lower():
            return True
    return False


# --- run properties ----------------------------------------------------------------------


@dataclass(frozen=True)
class _RunProps:
    """The visibility-relevant run properties one level (style or direct) sets; None = unset."""

    vanish: bool | None = None
    size: int | None = None  # half-points
    scale: int | None = None  # percent
    color: str | None = None  # RRGGBB or "auto"
    background: str | None = None  # RRGGBB from shading or highlight


def _on(element: etree._Element | None) -> bool | None:
    """A toggle (on/off) property: present means on unless its w:val says off."""
    if element is None:
        return None
    return (element.get(qn("w:val")) or "true").lower() not in _FALSE


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _hex(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lstrip("#")
    if value.lower() == "auto":
        return "auto"
    return value.upper() if len(value) == 6 and _is_hex(value) else None


def _is_hex(value: str) -> bool:
    try:
        int(value, 16)
    except ValueError:
        return False
    return True


def shading_fill(shd: etree._Element | None) -> str | None:
    """Background colour a ``w:shd`` paints; a solid pattern paints its pattern colour."""
    if shd is None:
        return None
    if (shd.get(qn("w:val")) or "") == "solid":
        color = _hex(shd.get(qn("w:color")))
        if color and color != "auto":
            return color
    fill = _hex(shd.get(qn("w:fill")))
    return fill if fill and fill != "auto" else None


def _props(rpr: etree._Element | None) -> _RunProps:
    if rpr is None:
        return _RunProps()
    vanish = _on(rpr.find(qn("w:vanish")))
    size = _int(_attr(rpr.find(qn("w:sz"))))
    scale = _int(_attr(rpr.find(qn("w:w"))))
    color = _hex(_attr(rpr.find(qn("w:color"))))
    background = shading_fill(rpr.find(qn("w:shd")))
    highlight = _attr(rpr.find(qn("w:highlight")))
    if background is None and highlight in _HIGHLIGHT:
        background = _HIGHLIGHT[highlight]
    return _RunProps(vanish, size, scale, color, background)


def _attr(element: etree._Element | None) -> str | None:
    return None if element is None else element.get(qn("w:val"))


@dataclass(frozen=True)
class _Style:
    based_on: str | None
    run: _RunProps
    paragraph_fill: str | None


class RunVisibility:
    """Resolves a run's effective properties through document defaults and styles.

    Order (§17.7.2): document defaults, then the paragraph style chain, then the character
    style chain, then direct formatting. ``vanish`` is a toggle property (§17.7.3): set in both
    the paragraph and the character style it switches back off; direct formatting is absolute.
    """

    def __init__(self, styles_root: etree._Element | None, page_color: str | None = None) -> None:
        self._styles: dict[str, _Style] = {}
        self._defaults = _RunProps()
        self._page = _rgb(page_color) if page_color and page_color != "auto" else _WHITE
        if styles_root is None:
            return
        defaults = styles_root.find(qn("w:docDefaults"))
        if defaults is not None:
            self._defaults = _props(defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}"))
        for style in styles_root.iterfind(qn("w:style")):
            based = style.find(qn("w:basedOn"))
            ppr = style.find(qn("w:pPr"))
            self._styles[style.get(qn("w:styleId"), "")] = _Style(
                based_on=None if based is None else based.get(qn("w:val")),
                run=_props(style.find(qn("w:rPr"))),
                paragraph_fill=shading_fill(ppr.find(qn("w:shd")) if ppr is not None else None),
            )

    def _chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            yield self._styles[style_id]
            style_id = self._styles[style_id].based_on

    def _inherited(self, style_id: str | None, name: str) -> object:
        """Nearest value along a basedOn chain (inheritance, as Word's style dialog shows it)."""
        for style in self._chain(style_id):
            value = getattr(style.run, name)
            if value is not None:
                return value
        return None

    def paragraph_fill(self, ppr: etree._Element | None, style_id: str | None) -> str | None:
        """Shading a paragraph paints behind its text: direct, else from its style chain."""
        direct = shading_fill(ppr.find(qn("w:shd")) if ppr is not None else None)
        if direct:
            return direct
        return next((s.paragraph_fill for s in self._chain(style_id) if s.paragraph_fill), None)

    def reason(
        self, run: etree._Element, paragraph_style: str | None, behind: str | None
    ) -> HiddenReason | None:
        """Why a reader cannot see this run's text, or None when it is visible.

        ``behind`` is the shading under the run's paragraph (paragraph, then table cell), None
        for the page colour.
        """
        rpr = run.find(qn("w:rPr"))
        direct = _props(rpr)
        char_style = _attr(rpr.find(qn("w:rStyle"))) if rpr is not None else None
        if self._vanish(direct, paragraph_style, char_style):
            return "hidden_run"
        size = self._pick("size", direct, paragraph_style, char_style)
        scale = self._pick("scale", direct, paragraph_style, char_style)
        if (isinstance(size, int) and size <= TINY_HALF_POINTS) or (
            isinstance(scale, int) and scale <= TINY_SCALE_PERCENT
        ):
            return "tiny_font"
        color = self._pick("color", direct, paragraph_style, char_style)
        if not isinstance(color, str) or color == "auto":
            return None  # "auto" is by definition the colour that contrasts with the background
        background = self._pick("background", direct, paragraph_style, char_style) or behind
        ground = _rgb(background) if isinstance(background, str) else self._page
        if _contrast(_rgb(color), ground) < MIN_CONTRAST:
            return "invisible_colour"
        return None

    def _pick(
        self, name: str, direct: _RunProps, paragraph_style: str | None, char_style: str | None
    ) -> object:
        for value in (
            getattr(direct, name),
            self._inherited(char_style, name),
            self._inherited(paragraph_style, name),
            getattr(self._defaults, name),
        ):
            if value is not None:
                return value
        return None

    def _vanish(
        self, direct: _RunProps, paragraph_style: str | None, char_style: str | None
    ) -> bool:
        if direct.vanish is not None:
            return direct.vanish
        in_paragraph = self._inherited(paragraph_style, "vanish")
        in_character = self._inherited(char_style, "vanish")
        if in_paragraph is None and in_character is None:
            return bool(self._defaults.vanish)
        return bool(in_paragraph) != bool(in_character)  # toggle: on in both is off


def _rgb(value: str) -> tuple[int, int, int]:
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG 2.x definition)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
