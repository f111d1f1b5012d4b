"""Ruled tables in PDFs: pdfium says which pages may hold one, pdfplumber reads their grid.

Why two libraries: pdfplumber knows table structure (it turns ruling lines into cells), but it
costs 40-100 ms a page because pdfminer interprets every object on the page; pdfium reads a
page's text in under a millisecond but knows nothing of cells. A contract has a table on a few
pages at most (parties, contacts, work packages), so pdfplumber runs only where pdfium found
ruling lines: :func:`is_ruled` costs a fraction of a millisecond and needs no text, and a page
without rules never reaches pdfplumber (``bench/bench_extract.py`` prints both costs).

Only the lines strategy is used: a table without rules is indistinguishable from aligned
columns of prose to a text-based detector, and a wrong "table" would cut clauses into cells.
pdfplumber is imported on first use, so a document without rules does not pay for its import.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A path object is a ruling line when it is this thin (pt) across and at least _RULE_MIN long.
_RULE_THIN = 3.0
_RULE_MIN = 10.0
# A page is a table candidate with rules in both directions and at least this many in all:
# the smallest table of two cells has 2 + 3 rules; one framed box (4 rules) is not a table.
_MIN_RULES = 5
# Paths with more segments, or with curves, are drawings (logos, charts), not grids; and a page
# with more path objects than this is a drawing too -- do not walk it object by object.
_MAX_SEGMENTS = 256
_MAX_PATHS = 2000
# A "table" of one cell is a framed box of prose; it stays in the paragraph flow.
MIN_CELLS = 2
_TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


@dataclass(frozen=True)
class FoundTable:
    """One table: its box in PDF page coordinates (as pdfium reports char boxes) and its cells.

    ``rows[r][c]`` is the list of text lines of a cell as pdfplumber wrapped them; merged-away
    cells are left out, so rows may differ in length.
    """

    left: float
    bottom: float
    right: float
    top: float
    rows: list[list[list[str]]]

    def contains(self, x: float, y: float, tolerance: float = 2.0) -> bool:
        return (
            self.left - tolerance <= x <= self.right + tolerance
            and self.bottom - tolerance <= y <= self.top + tolerance
        )


@dataclass(frozen=True)
class TableScan:
    """pdfplumber's answer for the candidate pages: tables per page number, and the pages
    whose layout it could not read (their text stays in pdfium's paragraph flow)."""

    tables: dict[int, list[FoundTable]]
    failed: list[int]


def is_ruled(page: pdfium.PdfPage) -> bool:
    """Does the page carry enough horizontal and vertical rules to hold a ruled table?

    Must be called under the pdfium lock, like every pdfium call.
    """
    horizontal = vertical = 0
    for n, obj in enumerate(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH])):
        if n >= _MAX_PATHS:
            return False
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height <= _RULE_THIN and width >= _RULE_MIN:
            horizontal += 1
        elif width <= _RULE_THIN and height >= _RULE_MIN:
            vertical += 1
        elif width >= _RULE_MIN and height >= _RULE_MIN:
            # A rectangle or several rules drawn as one path: count its straight segments.
            h, v = _path_rules(obj.raw)
            horizontal, vertical = horizontal + h, vertical + v
        if horizontal >= 2 and vertical >= 2 and horizontal + vertical >= _MIN_RULES:
            return True
    return False


def _path_rules(raw: Any) -> tuple[int, int]:
    """(horizontal, vertical) straight segments of a path; (0, 0) for curves or huge paths.

    Coordinates are the path's own (before its matrix): enough to tell axis-aligned lines of
    an unrotated table, which is all this cheap pre-filter needs.
    """
    count = pdfium_c.FPDFPath_CountSegments(raw)
    if count <= 0 or count > _MAX_SEGMENTS:
        return 0, 0
    horizontal = vertical = 0
    start = prev = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(raw, i)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return 0, 0
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            return 0, 0
        point = (x.value, y.value)
        ends = [(prev, point)] if kind == pdfium_c.FPDF_SEGMENT_LINETO and prev else []
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start:
            ends.append((point, start))
        for a, b in ends:
            dx, dy = abs(a[0] - b[0]), abs(a[1] - b[1])
            horizontal += dy <= _RULE_THIN and dx >= _RULE_MIN
            vertical += dx <= _RULE_THIN and dy >= _RULE_MIN
        prev = point
    return horizontal, vertical


def find_tables(data: bytes, top_edges: dict[int, float]) -> TableScan:
    """Read the ruled tables of the given pages (number -> top of the page's MediaBox).

    pdfplumber measures ``top`` downwards from the MediaBox top, pdfium upwards from the
    origin; the MediaBox top converts one into the other. Each page is closed after use,
    because pdfplumber caches every parsed object of a page until then.
    """
    import pdfplumber  # deferred: see the module docstring

    tables: dict[int, list[FoundTable]] = {}
    failed: list[int] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data), pages=sorted(top_edges))
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - pdfminer cannot parse what pdfium could: keep its text
        return TableScan({}, sorted(top_edges))
    with pdf:
        for page in pdf.pages:
            number = page.page_number
            try:
                found = list(_page_tables(page, top_edges[number]))
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - pdfminer on odd content: keep pdfium's text
                failed.append(number)
                continue
            finally:
                page.close()
            if found:
                tables[number] = found
    return TableScan(tables, failed)


def _page_tables(page: Any, top_edge: float) -> Iterator[FoundTable]:
    for table in page.find_tables(_TABLE_SETTINGS):
        rows = [
            [text.split("\n") for text in row if text and text.strip()]
            for row in table.extract()
        ]
        rows = [row for row in rows if row]
        if sum(len(row) for row in rows) < MIN_CELLS:
            continue
        x0, top, x1, bottom = table.bbox
        yield FoundTable(x0, top_edge - bottom, x1, top_edge - top, rows)
