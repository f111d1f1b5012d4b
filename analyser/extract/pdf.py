"""PDF extraction on pdfium's text layer.

Why pdfium (pypdfium2) and not pdfplumber: measured on the same machine, pdfium returns a page's
text in about 1 ms where pdfplumber's ``extract_text`` needs 80-100 ms (see
``bench/bench_extract.py``). A 30-page agreement must extract well under half a second, which
only the pdfium path achieves. pdfium also already does the two things pdfplumber would be
used for here: it orders characters into lines, and it marks a hyphen at a line end it judges
to be a word break with U+FFFE (joining the two lines). The layout that the reflow needs --
where each line sits on the page -- comes from two character boxes per line (first and last
character), which costs microseconds.

Pipeline per document:
1. per page, split pdfium's text into lines and locate each line (top, bottom, right, height);
2. find furniture across pages: lines in the top/bottom zone that recur on most pages once
   digits are masked (running headers, "Page 3 of 10"), and bare page numbers;
3. reflow the remaining lines into paragraphs (vertical gap, font-size change, clause number,
   short line ending a sentence);
4. join paragraphs split by a page break, and resolve line-end hyphens (see ``_join_hyphen``).

Tables are the one thing pdfium's lines get wrong: a ruled table comes out as one line per row
with the cells run together. Pages that carry ruling lines (pdfium can tell cheaply) go to
pdfplumber, which knows the grid (see :mod:`analyser.extract.pdf_tables`); each cell becomes a
``table_cell`` block where the table stood in the flow, and pdfium's lines inside the table's
box are dropped so no text appears twice. Pages without rules never touch pdfplumber.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyser.document import BlockKind, Document, HiddenPassage, join_blocks
from analyser.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument, NoTextLayer
from analyser.extract.pdf_container import (
    attachment_names,
    attachment_warning,
    refuse_empty_with_attachments,
    refuse_xfa,
)
from analyser.extract.pdf_tables import FoundTable, find_tables, is_ruled
from analyser.extract.pdf_visibility import OptionalContent, remove_invisible_text
from analyser.extract.text import ends_sentence, starts_clause
from analyser.limits import Limits

# pdfium keeps global state and is not thread-safe; the web layer may extract concurrently.
_PDFIUM_LOCK = threading.Lock()

SOFT_HYPHEN = "\ufffe"  # pdfium's mark for "hyphen at line end, word continues on next line"
_OLD_SOFT_HYPHEN = "\x02"  # the same mark in older pdfium builds
# Below this many non-space characters per page (on average) the PDF is treated as scanned.
MIN_CHARS_PER_PAGE = 20
# Furniture lives in the outer band of the page, and only the outermost lines can be furniture.
_FURNITURE_ZONE = 0.15
_FURNITURE_RANK = 2
# ... and must be separated from the text block by more than this many of their own heights.
_FURNITURE_GAP = 1.5
# A line recurring on at least this share of pages (and on two pages at least) is furniture.
_FURNITURE_SHARE = 0.5
# Reflow thresholds. A pitch this much above the usual leading is a paragraph gap; without a
# learnt leading, single-spaced text is assumed (baseline distance about 1.2 x the font box).
_PITCH_FACTOR = 1.25
_FALLBACK_LEADING = 1.2
_LEADING_PERCENTILE = 0.2
_SIZE_CHANGE = 0.15
_SHORT_LINE = 0.8
_HEADING_SIZE = 1.15
# Word parts that conventionally keep their hyphen ("non-exclusive", "co-operation").
_HYPHEN_PREFIXES = frozenset(
    {"non", "co", "self", "cross", "ex", "quasi", "well", "third", "long", "short", "full"}
)

_PAGE_NUMBER_RE = re.compile(
    r"""^(?:
        [-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?        # 3   - 3 -
      | \d{1,4}\s*(?:/|of|av|von|de|sur)\s*\d{1,4}           # 3/10  3 of 10
      | (?:page|p\.|pp\.|side|s\.|seite|pagina|página|sida|sivu)\s*\d{1,4}
        (?:\s*(?:/|of|av|von|de|sur|af|av\s+totalt)\s*\d{1,4})?   # Page 3 of 10, Side 3 av 10
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_DIGITS_RE = re.compile(r"\d+")
_SPACES_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_MARKED_RE = re.compile(rf"([^\W\d_]*){SOFT_HYPHEN}\s*([^\W\d_]*)")


@dataclass
class _Line:
    """One text line as pdfium ordered it; positions are None when pdfium has no char box."""

    text: str
    top: float | None = None  # top of the first character (loose font box)
    first_bottom: float | None = None  # bottom of the first character
    bottom: float | None = None  # bottom of the last character (a hyphen-joined line wraps)
    left: float | None = None
    right: float | None = None
    height: float | None = None

    @property
    def located(self) -> bool:
        return self.top is not None


@dataclass
class _Table:
    """A table placed in its page's flow: it goes before body line ``before`` (an index into
    ``_Page.lines``, which no longer holds the table's own lines)."""

    before: int
    top: float
    cells: list[str]


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line]
    ruled: bool = False  # carries ruling lines: may hold a table, worth asking pdfplumber
    top_edge: float = 0.0  # top of the MediaBox, to convert pdfplumber's coordinates
    tables: list[_Table] = field(default_factory=list)
    hidden: list[HiddenPassage] = field(default_factory=list)  # text no reader can see
    warnings: list[str] = field(default_factory=list)


def extract_pdf(
    data: bytes, *, name: str, path: str, sha256: str, limits: Limits | None = None
) -> Document:
    """Extract a PDF into page-located paragraphs with headers/footers set apart.

    The page count is checked before any page is loaded, and the running character count after
    each page, so an oversized PDF is refused early. Each page (and its text page) is closed as
    soon as its lines are read: pdfium keeps a loaded page's objects until it is closed.
    """
    limits = limits or Limits()
    with _PDFIUM_LOCK, _open(data, path) as pdf:
        n_pages = len(pdf)
        if n_pages == 0:
            raise CorruptDocument("PDF has no pages", path)
        if n_pages > limits.max_pages:
            raise DocumentTooLarge(
                f"PDF has {n_pages:,} pages; the limit is {limits.max_pages:,}", path
            )
        form_warnings = refuse_xfa(pdf, path)
        attachments = attachment_names(pdf)
        pages: list[_Page] = []
        chars = 0
        content = OptionalContent(data)
        for i in range(n_pages):
            pages.append(_read_page(pdf, i, path, content))
            chars += sum(len(line.text) + 1 for line in pages[-1].lines)
            if chars > limits.max_chars:
                raise DocumentTooLarge(
                    f"PDF has more than {limits.max_chars:,} characters of text by page "
                    f"{i + 1}; the limit is {limits.max_chars:,}",
                    path,
                )
    unread_tables = _add_tables(data, pages)
    furniture_ids = _find_furniture(pages)
    furniture = _furniture_parts(pages, furniture_ids)
    paragraphs, empty_pages = _body_paragraphs(pages, furniture_ids)
    if sum(len(t) - t.count(" ") for t, *_ in paragraphs) < MIN_CHARS_PER_PAGE * n_pages:
        refuse_empty_with_attachments(attachments, path)
        raise NoTextLayer("no text layer — scanned? run OCR first (analyser check --ocr)", path)
    paragraphs = _resolve_hyphens(_merge_across_pages(paragraphs))
    text, blocks = join_blocks(paragraphs)
    _, furniture_blocks = join_blocks(furniture)
    return Document(
        name, path, sha256, "pdf", text, blocks, pages=n_pages,
        furniture=furniture_blocks,
        warnings=_warnings(data, empty_pages, unread_tables) + _visibility_warnings(pages)
        + form_warnings + attachment_warning(attachments),
        hidden=[passage for page in pages for passage in page.hidden],
    )  # fmt: skip


@contextmanager
def _open(data: bytes, path: str) -> Iterator[pdfium.PdfDocument]:
    """Open with no password, then the empty one; close the document whatever happens."""
    pdf = None
    for password in (None, ""):
        try:
            pdf = pdfium.PdfDocument(data, password=password)
            break
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if code == pdfium_c.FPDF_ERR_PASSWORD and password is None:
                continue
            raise _load_error(code, path) from e
    assert pdf is not None
    try:
        yield pdf
    finally:
        pdf.close()


def _load_error(code: int | None, path: str) -> Exception:
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return EncryptedDocument("encrypted PDF — remove the password first", path)
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return EncryptedDocument("unsupported PDF encryption — remove the password first", path)
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return CorruptDocument("corrupt or truncated PDF (damaged file structure)", path)
    if code in (None, pdfium_c.FPDF_ERR_SUCCESS, pdfium_c.FPDF_ERR_UNKNOWN):
        return CorruptDocument("corrupt PDF: no readable document structure", path)
    return CorruptDocument(f"PDF could not be opened (PDFium error {code})", path)


def _read_page(pdf: pdfium.PdfDocument, index: int, path: str, content: OptionalContent) -> _Page:
    """Read one page's lines after its invisible text is taken out (see pdf_visibility)."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError as e:
        raise CorruptDocument(f"page {index + 1} of the PDF is damaged", path) from e
    try:
        visibility = remove_invisible_text(page, index + 1, content)
        textpage = page.get_textpage()
        try:
            lines = _page_lines(textpage)
        finally:
            textpage.close()
        # Rotated pages keep pdfium's lines: the coordinate conversion assumes upright pages.
        # pdfplumber would read the hidden text back into table cells: such pages keep
        # pdfium's lines.
        ruled = page.get_rotation() == 0 and not visibility.hidden and is_ruled(page)
        return _Page(
            index + 1, page.get_height(), lines, ruled, page.get_mediabox()[3],
            hidden=visibility.hidden, warnings=visibility.warnings,
        )  # fmt: skip
    except pdfium.PdfiumError as e:
        raise CorruptDocument(f"text of page {index + 1} could not be read", path) from e
    finally:
        page.close()


def _page_lines(textpage: pdfium.PdfTextPage) -> list[_Line]:
    """Split pdfium's page text into lines and locate each by its first and last character."""
    text = textpage.get_text_range().replace(_OLD_SOFT_HYPHEN, SOFT_HYPHEN)
    lines = []
    for match in re.finditer(r"[^\r\n]+", text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        first = match.start() + len(raw) - len(raw.lstrip())
        last = match.start() + len(raw.rstrip()) - 1
        lines.append(_locate(textpage, stripped, first, last))
    return lines


def _char_box(textpage: pdfium.PdfTextPage, text_index: int) -> tuple[float, ...] | None:
    char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage.raw, text_index)
    if char_index < 0:
        return None
    try:
        return tuple(textpage.get_charbox(char_index, loose=True))
    except pdfium.PdfiumError:
        return None


def _locate(textpage: pdfium.PdfTextPage, text: str, first: int, last: int) -> _Line:
    head, tail = _char_box(textpage, first), _char_box(textpage, last)
    if head is None or tail is None:
        return _Line(_clean(text))
    left, bottom, _, top = head
    return _Line(_clean(text), top, bottom, tail[1], left, tail[2], top - bottom)


def _clean(text: str) -> str:
    """Collapse runs of spaces pdfium inserts for wide gaps (table columns, justified text) and
    drop control characters that broken font encodings map glyphs to."""
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub("", text))


# --- tables ------------------------------------------------------------------------------


def _add_tables(data: bytes, pages: list[_Page]) -> list[int]:
    """Move the tables of ruled pages out of the line flow; return pages pdfplumber failed on.

    Runs outside the pdfium lock: pdfplumber does not use pdfium.
    """
    candidates = {page.number: page.top_edge for page in pages if page.ruled}
    if not candidates:
        return []
    scan = find_tables(data, candidates)
    for number, found in scan.tables.items():
        _place_tables(pages[number - 1], found)
    return scan.failed


def _table_of(line: _Line, tables: list[FoundTable]) -> int | None:
    """Index of the table whose box holds the line's centre, if any."""
    if line.top is None or line.first_bottom is None or line.left is None or line.right is None:
        return None
    x, y = (line.left + line.right) / 2, (line.top + line.first_bottom) / 2
    return next((t for t, table in enumerate(tables) if table.contains(x, y)), None)


def _place_tables(page: _Page, tables: list[FoundTable]) -> None:
    """Drop the page's lines inside a table and put the table where its first line stood
    (or, if pdfium had no line there, before the first line below the table's top)."""
    kept: list[_Line] = []
    first: dict[int, int] = {}
    for line in page.lines:
        t = _table_of(line, tables)
        if t is None:
            kept.append(line)
        else:
            first.setdefault(t, len(kept))
    placed = []
    for t, table in enumerate(tables):
        before = first.get(t)
        if before is None:
            below = (k for k, line in enumerate(kept) if (line.top or 0.0) < table.top)
            before = next(below, len(kept))
        placed.append(_Table(before, table.top, _cell_texts(table)))
    page.lines = kept
    page.tables = sorted(placed, key=lambda table: (table.before, -table.top))


def _cell_texts(table: FoundTable) -> list[str]:
    """Cells row by row, left to right; a cell's wrapped lines are joined like a paragraph's."""
    cells = []
    for row in table.rows:
        for cell in row:
            lines = [_Line(_clean(text.strip())) for text in cell if text.strip()]
            if lines:
                cells.append(_join_lines(lines))
    return cells


# --- furniture ---------------------------------------------------------------------------


def _furniture_key(text: str) -> str:
    """Compare lines with digits masked, so "Page 3 of 10" and "Page 4 of 10" are one line."""
    return _DIGITS_RE.sub("#", text.lower())


def _edge_run(page: _Page, order: list[int], zone: str) -> list[tuple[int, str]]:
    """The outermost lines (at most ``_FURNITURE_RANK``) that are set apart from the text
    block by a clear gap and lie in the page's outer band.

    Running headers and footers sit in the margin, away from the body; requiring the gap keeps
    an ordinary first or last body line out even when the same wording recurs on many pages.
    """
    lines = page.lines
    band = _FURNITURE_ZONE * page.height
    run: list[tuple[int, str]] = []
    for k, i in enumerate(order[:_FURNITURE_RANK]):
        line = lines[i]
        edge = (line.top or 0.0) if zone == "header" else (line.bottom or 0.0)
        in_band = edge >= page.height - band if zone == "header" else edge <= band
        if not in_band:
            break
        run.append((i, zone))
        if k + 1 >= len(order):
            return run
        inner = lines[order[k + 1]]
        if zone == "header":
            gap = (line.bottom or 0.0) - (inner.top or 0.0)
        else:
            gap = (inner.bottom or 0.0) - (line.top or 0.0)
        if gap > _FURNITURE_GAP * (line.height or 0.0):
            return run
    return []


def _zone_candidates(page: _Page) -> list[tuple[int, str]]:
    """(line index, "header"/"footer") for lines that may be page furniture."""
    located = [i for i, line in enumerate(page.lines) if line.located]
    from_top = sorted(located, key=lambda i: -(page.lines[i].top or 0.0))
    from_bottom = sorted(located, key=lambda i: page.lines[i].bottom or 0.0)
    header = _edge_run(page, from_top, "header")
    taken = {i for i, _ in header}
    footer = [c for c in _edge_run(page, from_bottom, "footer") if c[0] not in taken]
    return header + footer


def _find_furniture(pages: list[_Page]) -> dict[tuple[int, int], str]:
    """Map (page number, line index) to "header"/"footer" for furniture lines.

    A repeated key whose variants start like clause numbers ("Article 4", "Article 5" at the
    top of consecutive pages) is real content that happens to sit at the page top, not a
    running header, so it is kept.
    """
    candidates = {page.number: _zone_candidates(page) for page in pages}
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    variants: dict[tuple[str, str], set[str]] = defaultdict(set)
    for page in pages:
        for i, zone in candidates[page.number]:
            key = (zone, _furniture_key(page.lines[i].text))
            seen[key].add(page.number)
            variants[key].add(page.lines[i].text)
    needed = max(2, math.ceil(_FURNITURE_SHARE * len(pages)))
    result: dict[tuple[int, int], str] = {}
    for page in pages:
        for i, zone in candidates[page.number]:
            text = page.lines[i].text
            key = (zone, _furniture_key(text))
            recurring = len(seen[key]) >= needed and not (
                len(variants[key]) > 1 and starts_clause(text)
            )
            if recurring or _PAGE_NUMBER_RE.match(text):
                result[(page.number, i)] = zone
    return result


def _furniture_parts(
    pages: list[_Page], furniture_ids: dict[tuple[int, int], str]
) -> list[tuple[str, int | None, BlockKind, str | None, int | None]]:
    parts: list[tuple[str, int | None, BlockKind, str | None, int | None]] = []
    for (number, i), zone in sorted(furniture_ids.items()):
        kind: BlockKind = "header" if zone == "header" else "footer"
        text = pages[number - 1].lines[i].text.replace(SOFT_HYPHEN, "-")
        parts.append((text, number, kind, None, None))
    return parts


# --- reflow ------------------------------------------------------------------------------


@dataclass
class _Metrics:
    """Yardsticks for the reflow.

    ``leading`` maps a font-size class to the usual baseline distance of lines inside one
    paragraph, learnt from the whole document. It is a low percentile of the observed line
    pitches, because paragraph spacing only ever adds to it. A fixed ratio to the font size
    would not do: reportlab sets 10 pt text on 12 pt, LibreOffice's default template on 14.7 pt.
    ``left``/``right`` are the page's text edges, for telling a short (last) line.
    """

    leading: dict[int, float]
    body_size: int | None
    left: float | None = None
    right: float | None = None


def _size(line: _Line) -> int:
    return round(line.height or 0.0)


def _pitch(prev: _Line, cur: _Line) -> float | None:
    if prev.bottom is None or cur.first_bottom is None:
        return None
    return prev.bottom - cur.first_bottom


def _document_metrics(bodies: list[list[_Line]]) -> _Metrics:
    pitches: dict[int, list[float]] = defaultdict(list)
    chars_by_size: dict[int, int] = defaultdict(int)
    for body in bodies:
        located = [line for line in body if line.located]
        for line in located:
            chars_by_size[_size(line)] += len(line.text)
        for prev, cur in zip(located, located[1:], strict=False):
            pitch = _pitch(prev, cur)
            if _size(prev) == _size(cur) and pitch and 0 < pitch < 3 * (cur.height or 0.0):
                pitches[_size(cur)].append(pitch)
    leading = {
        size: sorted(values)[int(_LEADING_PERCENTILE * (len(values) - 1))]
        for size, values in pitches.items()
    }
    body_size = max(chars_by_size, key=chars_by_size.__getitem__) if chars_by_size else None
    return _Metrics(leading, body_size)


def _with_edges(m: _Metrics, lines: list[_Line]) -> _Metrics:
    located = [line for line in lines if line.located]
    if not located:
        return m
    left = min(line.left or 0.0 for line in located)
    right = max(line.right or 0.0 for line in located)
    return _Metrics(m.leading, m.body_size, left, right)


def _is_short(line: _Line, m: _Metrics) -> bool:
    if line.right is None or m.left is None or m.right is None or m.right <= m.left:
        return len(line.text) < 50
    return line.right - m.left < _SHORT_LINE * (m.right - m.left)


def _breaks_before(prev: _Line, cur: _Line, m: _Metrics) -> bool:
    """Does ``cur`` start a new paragraph? Text cues first, then geometry."""
    if prev.text.endswith(SOFT_HYPHEN):
        return False
    prev_short = _is_short(prev, m)
    # A short line ends its paragraph when it closes a sentence or is a numbered heading line
    # ("1. Export control"); other short lines (addresses, ragged tables) may continue.
    if prev_short and (ends_sentence(prev.text) or starts_clause(prev.text)):
        return True
    if starts_clause(cur.text) and (ends_sentence(prev.text) or prev_short):
        return True
    pitch = _pitch(prev, cur)
    if pitch is None or prev.height is None or cur.height is None:
        return False
    if pitch < -1.0:  # moved up the page: next column or a text box
        return True
    if _size(prev) != _size(cur) and abs(prev.height - cur.height) > _SIZE_CHANGE * max(
        prev.height, cur.height
    ):
        return True
    leading = m.leading.get(_size(cur))
    return pitch > _PITCH_FACTOR * (leading or _FALLBACK_LEADING * cur.height)


def _join_lines(lines: list[_Line]) -> str:
    """Join a paragraph's lines; a line ending in an explicit hyphen before a lowercase start
    is marked like pdfium's own soft hyphen so one rule decides both."""
    out = lines[0].text
    for line in lines[1:]:
        if out.endswith(SOFT_HYPHEN):
            out += line.text
        elif len(out) > 1 and out.endswith("-") and out[-2].isalpha() and line.text[0].islower():
            out = out[:-1] + SOFT_HYPHEN + line.text
        else:
            out += " " + line.text
    return out


def _page_paragraphs(body: list[_Line], m: _Metrics) -> list[tuple[str, BlockKind]]:
    """Reflow a run of lines; ``m`` carries the page's text edges (see :func:`_with_edges`)."""
    if not body:
        return []
    groups: list[list[_Line]] = []
    for line in body:
        if groups and not _breaks_before(groups[-1][-1], line, m):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [(_join_lines(g), _kind(g, m)) for g in groups]


def _kind(group: list[_Line], m: _Metrics) -> BlockKind:
    """A short block set in a clearly larger font than the body text is a heading."""
    if len(group) > 3 or not m.body_size or any(line.height is None for line in group):
        return "paragraph"
    big = all((line.height or 0.0) > _HEADING_SIZE * m.body_size for line in group)
    return "heading" if big else "paragraph"


_Part = tuple[str, int | None, BlockKind, str | None, int | None]


def _body_paragraphs(
    pages: list[_Page], furniture_ids: dict[tuple[int, int], str]
) -> tuple[list[_Part], list[int]]:
    """Paragraphs and table cells of all pages in order, and the numbers of pages without body
    text. A table splits its page's lines into the runs before and after it; each run is
    reflowed on its own, against the edges of the whole page."""
    kept = [
        [i for i in range(len(page.lines)) if (page.number, i) not in furniture_ids]
        for page in pages
    ]
    bodies = [[page.lines[i] for i in ids] for page, ids in zip(pages, kept, strict=True)]
    metrics = _document_metrics(bodies)
    parts: list[_Part] = []
    empty: list[int] = []
    for page, ids, body in zip(pages, kept, bodies, strict=True):
        chars = sum(len(line.text) for line in body)
        if chars + sum(len(c) for t in page.tables for c in t.cells) < MIN_CHARS_PER_PAGE:
            empty.append(page.number)
        m = _with_edges(metrics, body)
        runs: list[tuple[str, BlockKind]] = []
        start = 0
        for table in page.tables:
            cut = bisect_left(ids, table.before)
            runs += _page_paragraphs(body[start:cut], m)
            runs += [(cell, "table_cell") for cell in table.cells]
            start = cut
        runs += _page_paragraphs(body[start:], m)
        parts += [(text, page.number, kind, None, None) for text, kind in runs]
    return parts, empty


def _merge_across_pages(parts: list[_Part]) -> list[_Part]:
    """Rejoin a paragraph cut by a page break; it keeps the page where it starts."""
    merged: list[_Part] = []
    for part in parts:
        if merged and _continues(merged[-1], part):
            prev = merged[-1]
            glue = "" if prev[0].endswith(SOFT_HYPHEN) else " "
            merged[-1] = (prev[0] + glue + part[0], *prev[1:])
        else:
            merged.append(part)
    return merged


def _continues(prev: _Part, cur: _Part) -> bool:
    if prev[1] == cur[1] or prev[2] != "paragraph" or cur[2] != "paragraph":
        return False
    if prev[0].endswith(SOFT_HYPHEN):
        return True
    return not ends_sentence(prev[0]) and cur[0][:1].islower()


# --- hyphens -----------------------------------------------------------------------------


def _resolve_hyphens(parts: list[_Part]) -> list[_Part]:
    """Replace every line-end hyphen mark by "" or "-" (see :func:`_join_hyphen`)."""
    vocabulary = set(_WORD_RE.findall(" ".join(p[0] for p in parts).lower()))
    return [(_MARKED_RE.sub(lambda mo: _join_hyphen(mo, vocabulary), p[0]), *p[1:]) for p in parts]


def _join_hyphen(mo: re.Match[str], vocabulary: set[str]) -> str:
    """Decide one hyphen at a line break. The rule, in order:

    1. not lowercase letter + "-" + lowercase letter (e.g. "EU-China", "2024-"): keep "-";
    2. the document uses the hyphenated form elsewhere ("non-exclusive"): keep "-";
    3. the document uses the joined form elsewhere ("agreement"): join;
    4. the left part is a prefix that conventionally keeps its hyphen (non, co, self, ...):
       keep "-";
    5. otherwise join: a line-end hyphen between lowercase letters is usually typesetting.
    """
    left, right = mo.group(1), mo.group(2)
    if not (left[-1:].islower() and right[:1].islower()):
        return f"{left}-{right}"
    word = left.lower()
    if f"{word}-{right.lower()}" in vocabulary:
        return f"{left}-{right}"
    if f"{word}{right.lower()}" in vocabulary:
        return left + right
    if word in _HYPHEN_PREFIXES:
        return f"{left}-{right}"
    return left + right


def _visibility_warnings(pages: list[_Page]) -> list[str]:
    """One warning per kind, not per page: a 200-page file must not flood the report."""
    seen: dict[str, None] = {}
    for page in pages:
        for warning in page.warnings:
            seen.setdefault(warning.split(": ", 1)[-1], None)
    return list(seen)


def _warnings(data: bytes, empty_pages: list[int], unread_tables: list[int]) -> list[str]:
    warnings = []
    if empty_pages:
        listed = ", ".join(str(n) for n in empty_pages)
        warnings.append(f"no text on page(s) {listed} — scanned pages are not analysed")
    if unread_tables:
        listed = ", ".join(str(n) for n in unread_tables)
        warnings.append(f"table layout of page(s) {listed} could not be read; kept as running text")
    if b"%%EOF" not in data[-2048:]:
        warnings.append("PDF looks truncated (no %%EOF marker); text may be missing")
    return warnings
