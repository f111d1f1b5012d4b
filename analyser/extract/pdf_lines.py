"""The located text lines of a PDF page: what pdf.py reads from pdfium and what the layout
modules (pdf_columns, pdf_furniture) reason about. Coordinates are PDF points, y upwards."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyser.document import HiddenPassage


@dataclass
class Line:
    """One text line as pdfium ordered it; positions are None when pdfium has no char box."""

    text: str
    top: float | None = None  # top of the first character (loose font box)
    first_bottom: float | None = None  # bottom of the first character
    bottom: float | None = None  # bottom of the last character (a hyphen-joined line wraps)
    left: float | None = None
    right: float | None = None
    height: float | None = None
    column: int = 0  # 1 for the right column of a two-column page (see pdf_columns)

    @property
    def located(self) -> bool:
        return self.top is not None


@dataclass
class PlacedTable:
    """A table placed in its page's flow: it goes before body line ``before`` (an index into
    ``Page.lines``, which no longer holds the table's own lines)."""

    before: int
    top: float
    cells: list[str]


@dataclass
class Page:
    number: int
    height: float
    lines: list[Line]
    ruled: bool = False  # carries ruling lines: may hold a table, worth asking pdfplumber
    top_edge: float = 0.0  # top of the MediaBox, to convert pdfplumber's coordinates
    tables: list[PlacedTable] = field(default_factory=list)
    hidden: list[HiddenPassage] = field(default_factory=list)  # text no reader can see
    warnings: list[str] = field(default_factory=list)
    width: float = 0.0
