"""Multi-column pages, read column by column.

pdfium orders characters into lines by position: two cells of a borderless table (the usual
bilingual layout, English beside Norwegian) or two newspaper columns whose lines share a
baseline come out as ONE line ("3. Academic freedom 3. Akademisk frihet"). Two steps undo
that, both cheap:

1. :func:`split_line` asks pdfium for the rectangles of a line's characters
   (``FPDFText_CountRects``, about 4 µs a line) and cuts the line where two rectangles are
   further apart than a column gutter (``_GUTTER`` line heights); each part's text comes from
   ``FPDFText_GetBoundedText``. Only lines with such a gap pay for the second call.
2. :func:`column_order` finds a gutter: an x position in the middle of the text block that
   no line crosses, with at least ``_MIN_COLUMN_LINES`` lines on each side and the right-hand
   lines starting at one left edge (a column start, not a right-aligned date), and running
   text on both sides (a grid of short cells is a table, read row by row). Lines that
   cross it (a title over both columns) cut the page into bands; inside a band the left
   column's lines come first, then the right column's, each in pdfium's order.

Each line gets ``column`` (0 left or only, 1 right) so the reflow measures short lines against
its own column's edges.
"""

from __future__ import annotations

from collections.abc import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyser.extract.pdf_lines import Line

# Rectangles of one line further apart than this many line heights sit in two columns.
_GUTTER = 2.5
# A column has at least this many lines, and its lines share a left edge within _ALIGN pt.
_MIN_COLUMN_LINES = 3
_ALIGN = 3.0
# A column of running text has at least _MIN_COLUMN_LINES lines this long (table cells are
# shorter, and a table reads row by row).
_PROSE_LINE = 25
# The gutter lies in this middle share of the text block's width.
_MIDDLE = (0.25, 0.75)


def split_line(
    textpage: pdfium.PdfTextPage, start: int, length: int, line: Line, clean: Callable[[str], str]
) -> list[Line]:
    """The line, or its parts where a gutter-wide gap separates its characters."""
    if not line.located or not line.height:
        return [line]
    count = pdfium_c.FPDFText_CountRects(textpage.raw, start, length)
    if count < 2:
        return [line]
    rects = [textpage.get_rect(k) for k in range(count)]  # (left, bottom, right, top)
    groups: list[list[float]] = [list(rects[0])]
    for left, bottom, right, top in rects[1:]:
        current = groups[-1]
        if left - current[2] > _GUTTER * line.height or left < current[0] - line.height:
            groups.append([left, bottom, right, top])
        else:
            current[0], current[1] = min(current[0], left), min(current[1], bottom)
            current[2], current[3] = max(current[2], right), max(current[3], top)
    if len(groups) < 2:
        return [line]
    parts = []
    for left, bottom, right, top in groups:
        text = clean(textpage.get_text_bounded(left, bottom, right, top).strip())
        if text:
            # Vertical metrics stay the line's (loose font boxes, as the reflow expects them);
            # the rectangles are tight glyph boxes and only give the horizontal extent.
            parts.append(
                Line(text, line.top, line.first_bottom, line.bottom, left, right, line.height)
            )
    return parts or [line]


def column_order(lines: list[Line]) -> list[Line]:
    """Reorder a page's lines column by column where the page has two columns."""
    gutter = _find_gutter(lines)
    if gutter is None:
        return lines
    ordered: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    for line in lines:
        side = _side(line, gutter)
        if side is None:  # crosses the gutter: ends the band
            ordered += left + right + [line]
            left, right = [], []
        elif side == 0:
            left.append(line)
        else:
            line.column = 1
            right.append(line)
    return ordered + left + right


def _side(line: Line, gutter: float) -> int | None:
    if line.left is None or line.right is None:
        return 0
    if line.right <= gutter:
        return 0
    if line.left >= gutter:
        return 1
    return None


def _find_gutter(lines: list[Line]) -> float | None:
    located = [line for line in lines if line.left is not None and line.right is not None]
    if len(located) < 2 * _MIN_COLUMN_LINES:
        return None
    lo = min(line.left or 0.0 for line in located)
    hi = max(line.right or 0.0 for line in located)
    width = hi - lo
    if width <= 0:
        return None
    # Right-column candidates: left edges in the middle band that several lines share.
    starts: dict[int, int] = {}
    for line in located:
        x = line.left or 0.0
        if lo + _MIDDLE[0] * width <= x <= lo + _MIDDLE[1] * width:
            key = round(x / _ALIGN)
            starts[key] = starts.get(key, 0) + 1
    best: float | None = None
    for key, count in sorted(starts.items(), key=lambda kv: -kv[1]):
        if count < _MIN_COLUMN_LINES:
            break
        edge = key * _ALIGN - _ALIGN
        right_lines = [ln for ln in located if (ln.left or 0.0) >= edge]
        left_lines = [ln for ln in located if (ln.right or 0.0) <= edge]
        aligned = sum(1 for ln in right_lines if abs((ln.left or 0.0) - key * _ALIGN) <= _ALIGN)
        if aligned >= _MIN_COLUMN_LINES and _prose(left_lines) and _prose(right_lines):
            best = edge
            break
    return best


def _prose(lines: list[Line]) -> bool:
    """Columns of running text, not the short cells of a table read row by row."""
    return sum(1 for line in lines if len(line.text) >= _PROSE_LINE) >= _MIN_COLUMN_LINES
