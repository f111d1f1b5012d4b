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

import re
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyser.document import BlockKind, Document, SkippedKind, SkippedPassage, join_blocks
from analyser.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EncryptedDocument,
    NoTextLayer,
    UntrustedTextLayer,
)
from analyser.extract.pdf_columns import column_order, split_line
from analyser.extract.pdf_container import (
    attachment_names,
    attachment_warning,
    refuse_empty_with_attachments,
    refuse_xfa,
)
from analyser.extract.pdf_fonts import audit_fonts, mark_lying_fonts
from analyser.extract.pdf_furniture import find_skipped
from analyser.extract.pdf_lines import Line as _Line
from analyser.extract.pdf_lines import Page as _Page
from analyser.extract.pdf_lines import PlacedTable as _Table
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
# Reflow thresholds. A pitch this much above the usual leading is a paragraph gap; without a
# learnt leading, single-spaced text is assumed (baseline distance about 1.2 x the font box).
_PITCH_FACTOR = 1.25
_FALLBACK_LEADING = 1.2
_LEADING_PERCENTILE = 0.2
_SIZE_CHANGE = 0.15
_SHORT_LINE = 0.8
_HEADING_SIZE = 1.15
# A block this long that stops mid-sentence at a page foot is prose running on to the next page.
_PROSE_CHARS = 60
# Word parts that conventionally keep their hyphen ("non-exclusive", "co-operation").
_HYPHEN_PREFIXES = frozenset(
    {"non", "co", "self", "cross", "ex", "quasi", "well", "third", "long", "short", "full"}
)

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SPACED_HYPHEN = "\ue000"  # internal mark: "word -" at a line end (private use, never output)
# The look-behind pins a match to a word start: without it the regex retries from every
# letter of every word, which cost more than reading the page.
_MARKED_RE = re.compile(rf"(?<![^\W\d_])([^\W\d_]*)([{SOFT_HYPHEN}{_SPACED_HYPHEN}])\s*([^\W\d_]*)")


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
        # Fonts whose ToUnicode map lies are renamed in a copy read instead (pdf_fonts.py).
        marked, lying = mark_lying_fonts(data, audit_fonts(data))
        with ExitStack() as stack:
            reading = pdf if marked is data else stack.enter_context(_open(marked, path))
            for i in range(n_pages):
                pages.append(_read_page(reading, i, path, content, lying))
                chars += sum(len(line.text) + 1 for line in pages[-1].lines)
                if chars > limits.max_chars:
                    raise DocumentTooLarge(
                        f"PDF has more than {limits.max_chars:,} characters of text by page "
                        f"{i + 1}; the limit is {limits.max_chars:,}",
                        path,
                    )
    unread_tables = _add_tables(data, pages)
    furniture_ids = find_skipped(pages)
    furniture, skipped = _furniture_parts(pages, furniture_ids)
    paragraphs, empty_pages = _body_paragraphs(pages, furniture_ids)
    if sum(len(t) - t.count(" ") for t, *_ in paragraphs) < MIN_CHARS_PER_PAGE * n_pages:
        refuse_empty_with_attachments(attachments, path)
        if lying:
            raise UntrustedTextLayer(
                "the text layer says something other than the glyphs show (edited ToUnicode "
                "maps); run OCR to read what the pages show (analyser check --ocr)",
                path,
            )
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
        skipped=skipped,
    )  # fmt: skip


@contextmanager
def _open(data: bytes, path: str) -> Iterator[pdfium.PdfDocument]:
    """Open with no password, then the empty one; close the document whatever happens."""
    pdf = None
    for password in (None, ""):
        _forget_last_error()
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


def _forget_last_error() -> None:
    """Set PDFium's last error to a known code before a load.

    PDFium keeps its last error per thread and some failed loads set none (a PDF without a page
    tree), so the reason read was the previous document's: "encrypted PDF" for a plain file
    analysed after a locked one by the same warm worker. Loading an empty buffer sets
    FPDF_ERR_FORMAT, so such a failure reads as the damaged file it is.
    """
    pdfium_c.FPDF_LoadMemDocument(b"", 0, None)


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


def _read_page(
    pdf: pdfium.PdfDocument,
    index: int,
    path: str,
    content: OptionalContent,
    lying: frozenset[str] = frozenset(),
) -> _Page:
    """Read one page's lines after its invisible text, and text in fonts whose ToUnicode map
    lies, is taken out (see pdf_visibility and pdf_fonts)."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError as e:
        raise CorruptDocument(f"page {index + 1} of the PDF is damaged", path) from e
    try:
        visibility = remove_invisible_text(page, index + 1, content, lambda: pdf[index], lying)
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
        line = _locate(textpage, stripped, first, last)
        lines += split_line(textpage, first, last - first + 1, line, _clean)
    return column_order(lines)


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
    drop control characters that broken font encodings map glyphs to. (``str.split`` splits
    on the same whitespace as ``\\s`` and is several times faster than a regex here.)"""
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
    return " ".join(text.split())


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


def _furniture_parts(
    pages: list[_Page], skipped: dict[tuple[int, int], SkippedKind]
) -> tuple[list[_Part], list[SkippedPassage]]:
    """Header/footer blocks for display, and every skipped line with its kind, in page order.
    A table of contents is skipped but is not page furniture."""
    parts: list[_Part] = []
    passages: list[SkippedPassage] = []
    for (number, i), kind in sorted(skipped.items()):
        page = pages[number - 1]
        line = page.lines[i]
        text = line.text.replace(SOFT_HYPHEN, "-")
        passages.append(SkippedPassage(text, kind, number))
        if kind == "table_of_contents":
            continue
        upper = (line.top or 0.0) > page.height / 2
        block: BlockKind = (
            "header"
            if kind == "running_header" or (kind != "running_footer" and upper)
            else "footer"
        )
        parts.append((text, number, block, None, None))
    return parts, passages


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
    is marked like pdfium's own soft hyphen so one rule decides both. Justified text may leave
    the hyphen spaced off its word ("mana -" / "gement"): that gets its own mark, because a
    spaced hyphen is also how a dash is typed ("its staff -" / "shall").
    """
    out = lines[0].text
    for line in lines[1:]:
        if out.endswith(SOFT_HYPHEN):
            out += line.text
        elif len(out) > 1 and out.endswith("-") and out[-2].isalpha() and line.text[0].islower():
            out = out[:-1] + SOFT_HYPHEN + line.text
        elif len(out) > 2 and out.endswith(" -") and out[-3].isalpha() and line.text[0].islower():
            out = out[:-2] + _SPACED_HYPHEN + line.text
        else:
            out += " " + line.text
    return out


def _page_paragraphs(
    body: list[_Line], columns: dict[int, _Metrics]
) -> list[tuple[str, BlockKind]]:
    """Reflow a run of lines; ``columns`` carries each column's text edges (see
    :func:`_with_edges`); a line in another column than the one before starts a paragraph."""
    if not body:
        return []
    groups: list[list[_Line]] = []
    for line in body:
        m = columns[line.column]
        prev = groups[-1][-1] if groups else None
        if prev is not None and prev.column == line.column and not _breaks_before(prev, line, m):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [(_join_lines(g), _kind(g, columns[g[0].column])) for g in groups]


def _kind(group: list[_Line], m: _Metrics) -> BlockKind:
    """A short block set in a clearly larger font than the body text is a heading."""
    if len(group) > 3 or not m.body_size or any(line.height is None for line in group):
        return "paragraph"
    big = all((line.height or 0.0) > _HEADING_SIZE * m.body_size for line in group)
    return "heading" if big else "paragraph"


_Part = tuple[str, int | None, BlockKind, str | None, int | None]


def _body_paragraphs(
    pages: list[_Page], furniture_ids: dict[tuple[int, int], SkippedKind]
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
        m = {c: _with_edges(metrics, [ln for ln in body if ln.column == c]) for c in (0, 1)}
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
    """Rejoin a paragraph cut by a page break; it keeps the page where it starts. A hyphen
    left at the foot of the page is marked like a line-end hyphen inside a page."""
    merged: list[_Part] = []
    for part in parts:
        if merged and _continues(merged[-1], part):
            prev = merged[-1][0]
            if prev.endswith(SOFT_HYPHEN):
                text = prev + part[0]
            elif prev.endswith(" -") and prev[-3:-2].isalpha() and part[0][:1].islower():
                text = prev[:-2] + _SPACED_HYPHEN + part[0]
            elif prev.endswith("-") and prev[-2:-1].isalpha() and part[0][:1].islower():
                text = prev[:-1] + SOFT_HYPHEN + part[0]
            else:
                text = prev + " " + part[0]
            merged[-1] = (text, *merged[-1][1:])
        else:
            merged.append(part)
    return merged


def _continues(prev: _Part, cur: _Part) -> bool:
    """Does ``cur`` (first block of a page) continue ``prev`` (last block of the page before)?

    Yes when prev is prose that stops mid-sentence and cur is no new clause: the sentence
    runs on even when its next word is capitalised ("... between the" / "Parties shall").
    """
    if prev[1] == cur[1] or prev[2] != "paragraph" or cur[2] != "paragraph":
        return False
    if prev[0].endswith(SOFT_HYPHEN):
        return True
    if ends_sentence(prev[0]) or starts_clause(cur[0]):
        return False
    return cur[0][:1].islower() or len(prev[0]) >= _PROSE_CHARS


# --- hyphens -----------------------------------------------------------------------------


def _resolve_hyphens(parts: list[_Part]) -> list[_Part]:
    """Replace every line-end hyphen mark by "", "-" or " - " (see :func:`_join_hyphen`).

    The vocabulary is the document's own words with the hyphen-broken fragments left out, so
    that "mana" and "gement" do not count as words of the document. It is only built when
    some paragraph carries a mark.
    """
    marked = [_has_mark(p[0]) for p in parts]
    if not any(marked):
        return parts
    pairs = list(zip(parts, marked, strict=True))
    whole = " ".join(_MARKED_RE.sub(" ", p[0]) if m else p[0] for p, m in pairs)
    vocabulary = set(_WORD_RE.findall(whole.lower()))
    vocabulary |= {part for word in vocabulary if "-" in word for part in word.split("-")}
    return [
        (_MARKED_RE.sub(lambda mo: _join_hyphen(mo, vocabulary), p[0]), *p[1:]) if m else p
        for p, m in pairs
    ]


def _has_mark(text: str) -> bool:
    return SOFT_HYPHEN in text or _SPACED_HYPHEN in text


def _join_hyphen(mo: re.Match[str], vocabulary: set[str]) -> str:
    """Decide one hyphen at a line break. The rule, in order:

    1. not lowercase letter + "-" + lowercase letter (e.g. "EU-China", "2024-"): keep "-";
    2. the document uses the hyphenated form elsewhere ("non-exclusive"): keep "-";
    3. the document uses the joined form elsewhere ("agreement"): join;
    4. the left part is a prefix that conventionally keeps its hyphen (non, co, self, ...):
       keep "-";
    5. both parts are words the document uses on their own ("researcher", "months"): a
       compound, keep "-" (a spaced hyphen between two words is a dash: keep " - ");
    6. otherwise join: a line-end hyphen between word fragments is typesetting
       ("mana-gement", and justified text's "mana - gement").
    """
    left, mark, right = mo.group(1), mo.group(2), mo.group(3)
    keep = f"{left} - {right}" if mark == _SPACED_HYPHEN else f"{left}-{right}"
    if not (left[-1:].islower() and right[:1].islower()):
        return keep
    word, rest = left.lower(), right.lower()
    if f"{word}-{rest}" in vocabulary:
        return f"{left}-{right}"
    if f"{word}{rest}" in vocabulary:
        return left + right
    if word in _HYPHEN_PREFIXES and mark == SOFT_HYPHEN:
        return keep
    if _is_word(word, vocabulary) and _is_word(rest, vocabulary):
        return keep
    return left + right


def _is_word(part: str, vocabulary: set[str]) -> bool:
    return len(part) >= 2 and part in vocabulary


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
