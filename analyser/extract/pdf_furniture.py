"""Page furniture of a PDF: lines a reader skips and that must never be cited as evidence.

Four kinds, each found on the located lines of :mod:`analyser.extract.pdf_lines`:

* running headers and footers: the outer block of lines at the top or bottom of a page, set
  apart from the text by a clear gap, whose wording (digits masked, so "Page 3 of 10" matches
  "Page 4 of 10") recurs on at least half of the pages;
* page numbers: an outer line that is only a page number ("3", "- 3 -", "Page 3 of 10",
  "Side 3 av 10");
* letterhead: an outer block that does not recur but is letterhead by its look or place: on
  the first page of a longer document it sits where the other pages carry only furniture (the
  body of the other pages never reaches that high or low), or one of its lines carries
  letterhead wording (privacy notice, GDPR, org. no., phone, P.O. Box ...), or it is set in a
  smaller type than the body. A one-page letter of intent on letterhead has no other page to
  compare with, which is why the wording and type size count;
* a table of contents: lines with a dot leader before a page number ("Section 11: Research
  integrity ...... 16"), and after a "Contents"/"Innhold" heading the lines that end in a page
  number, with the heading itself.

Why rules on geometry rather than a layout library: see README ("PDF layout"); pdfminer's
layout analysis (behind pdfplumber) costs 60-100 ms a page against the 5 ms budget.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from analyser.document import SkippedKind
from analyser.extract.pdf_lines import Line, Page
from analyser.extract.text import starts_clause

# Furniture lives in the outer band of the page, in a block of at most this many lines ...
_ZONE = 0.15
_MAX_BLOCK = 4
# ... separated from the text block by more than this many of its own line heights.
_GAP = 1.0
# A line recurring on at least this share of pages (and on two pages at least) is furniture.
_SHARE = 0.5
# Letterhead set in type this much smaller than the body text.
_SMALL_TYPE = 0.9

PAGE_NUMBER_RE = re.compile(
    r"""^(?:
        [-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?        # 3   - 3 -
      | \d{1,4}\s*(?:/|of|av|von|de|sur)\s*\d{1,4}           # 3/10  3 of 10
      | (?:page|p\.|pp\.|side|s\.|seite|pagina|página|sida|sivu)\s*\d{1,4}
        (?:\s*(?:/|of|av|von|de|sur|af|av\s+totalt)\s*\d{1,4})?   # Page 3 of 10, Side 3 av 10
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Wording that marks letterhead and its footer (English and Norwegian).
_LETTERHEAD_RE = re.compile(
    r"""\b(?:gdpr|privacy|personvern\w*|data\s+protection\s+officer|personopplysning\w*
      | org(?:anisation|anization)?\.?\s*(?:no|nr|number)\b | vat\b | mva\b
      | tel(?:ephone|efon)?\b | phone\b | fax\b | e-?mail\b | e-?post\b
      | p\.?\s*o\.?\s*box | postboks | postadresse | besøksadresse | visiting\s+address
      | www\.|https?://|\S+@\S+\.\w+ )""",
    re.IGNORECASE | re.VERBOSE,
)
_TOC_LEADER_RE = re.compile(r"^\S.*?\S\s*(?:\.{4,}|…{2,}|(?:\.\s){4,}|_{4,})\s*\d{1,4}$")
_TOC_HEADING_RE = re.compile(
    r"^(?:table\s+of\s+contents|contents|innhold|innholdsfortegnelse|indholdsfortegnelse)$",
    re.IGNORECASE,
)
_ENDS_IN_PAGE_RE = re.compile(r"\D\s+\d{1,4}$")
_DIGITS_RE = re.compile(r"\d+")

LineId = tuple[int, int]  # (page number, line index)


def find_skipped(pages: list[Page]) -> dict[LineId, SkippedKind]:
    """Every furniture line of the document with its kind."""
    body_size = _body_size(pages)
    blocks = {page.number: _edge_blocks(page) for page in pages}
    recurring = _recurring(pages, blocks)
    result: dict[LineId, SkippedKind] = {}
    for page in pages:
        for zone, block in blocks[page.number].items():
            letterhead = _is_letterhead(page, zone, block, pages, body_size, recurring)
            for i in block:
                text = page.lines[i].text
                if PAGE_NUMBER_RE.match(text):
                    result[(page.number, i)] = "page_number"
                elif (page.number, i) in recurring:
                    result[(page.number, i)] = (
                        "running_header" if zone == "header" else "running_footer"
                    )
                elif letterhead:
                    result[(page.number, i)] = "letterhead"
    for line_id in _table_of_contents(pages):
        result.setdefault(line_id, "table_of_contents")
    return result


def _furniture_key(text: str) -> str:
    """Compare lines with digits masked, so "Page 3 of 10" and "Page 4 of 10" are one line."""
    return _DIGITS_RE.sub("#", text.lower())


def _body_size(pages: list[Page]) -> int | None:
    chars: dict[int, int] = defaultdict(int)
    for page in pages:
        for line in page.lines:
            if line.height:
                chars[round(line.height)] += len(line.text)
    return max(chars, key=chars.__getitem__) if chars else None


def _edge_blocks(page: Page) -> dict[str, list[int]]:
    """The outer block of lines at the top ("header") and bottom ("footer") of the page."""
    located = [i for i, line in enumerate(page.lines) if line.located]
    from_top = sorted(located, key=lambda i: -(page.lines[i].top or 0.0))
    from_bottom = sorted(located, key=lambda i: page.lines[i].bottom or 0.0)
    header = _edge_block(page, from_top, "header")
    footer = [i for i in _edge_block(page, from_bottom, "footer") if i not in header]
    return {"header": header, "footer": footer}


def _edge_block(page: Page, order: list[int], zone: str) -> list[int]:
    """The outermost lines (at most ``_MAX_BLOCK``) in the page's outer band, up to the
    widest gap among them, if that gap is clear (over ``_GAP`` line heights). Requiring the gap
    keeps an ordinary first or last body line out even when its wording recurs; taking the
    widest one keeps a three-line footer (privacy notice and page number) together.
    """
    lines = page.lines
    band = _ZONE * page.height
    best, best_ratio = -1, _GAP
    for k, i in enumerate(order[:_MAX_BLOCK]):
        line = lines[i]
        edge = (line.top or 0.0) if zone == "header" else (line.bottom or 0.0)
        in_band = edge >= page.height - band if zone == "header" else edge <= band
        if not in_band:
            break
        if k + 1 >= len(order):
            return order[: k + 1]  # the page holds nothing else
        inner = lines[order[k + 1]]
        if zone == "header":
            gap = (line.bottom or 0.0) - (inner.top or 0.0)
        else:
            gap = (inner.bottom or 0.0) - (line.top or 0.0)
        ratio = gap / (line.height or 1.0)
        if ratio > best_ratio:
            best, best_ratio = k, ratio
    return order[: best + 1]


def _recurring(pages: list[Page], blocks: dict[int, dict[str, list[int]]]) -> set[LineId]:
    """Edge lines whose wording recurs on enough pages.

    A repeated key whose variants start like clause numbers ("Article 4", "Article 5" at the
    top of consecutive pages) is real content that happens to sit at the page top, not a
    running header, so it is kept.
    """
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    variants: dict[tuple[str, str], set[str]] = defaultdict(set)
    for page in pages:
        for zone, block in blocks[page.number].items():
            for i in block:
                key = (zone, _furniture_key(page.lines[i].text))
                seen[key].add(page.number)
                variants[key].add(page.lines[i].text)
    needed = max(2, math.ceil(_SHARE * len(pages)))
    found: set[LineId] = set()
    for page in pages:
        for zone, block in blocks[page.number].items():
            for i in block:
                text = page.lines[i].text
                key = (zone, _furniture_key(text))
                if len(seen[key]) >= needed and not (
                    len(variants[key]) > 1 and starts_clause(text)
                ):
                    found.add((page.number, i))
    return found


def _is_letterhead(
    page: Page,
    zone: str,
    block: list[int],
    pages: list[Page],
    body_size: int | None,
    recurring: set[LineId],
) -> bool:
    """Letterhead is a first-page matter; later pages' furniture recurs. (A small-type block at
    the foot of a later page is more likely a footnote, which is agreement text.)"""
    lines = [page.lines[i] for i in block]
    if page.number != 1 or not lines or any(_opens_note(line.text) for line in lines):
        return False
    if body_size and all((line.height or body_size) < _SMALL_TYPE * body_size for line in lines):
        return True
    if len(pages) == 1:  # nothing to compare with: the wording decides
        return any(_LETTERHEAD_RE.search(line.text) for line in lines)
    return _outside_later_bodies(lines, zone, pages, recurring)


def _opens_note(text: str) -> bool:
    """A numbered clause or a footnote ("1 The Parties ...", "* See Annex 2")."""
    return starts_clause(text) or text[:1].isdigit() or text[:1] in "*†‡¹²³"


def _outside_later_bodies(
    lines: list[Line], zone: str, pages: list[Page], recurring: set[LineId]
) -> bool:
    """Does the block sit where the other pages carry no body text (above their highest or
    below their lowest line that is not running furniture)? First-page letterhead lives in
    that margin; a first-page title does not (later pages' text starts as high)."""
    # The last page is often short (its text ends high), and one later page is too few to
    # know where body text may stand: compare with the full pages in between.
    later = pages[1:-1]
    if len(later) < 2:
        return False
    limits = []
    for page in later:
        body = [
            line
            for i, line in enumerate(page.lines)
            if line.located
            and (page.number, i) not in recurring
            and not PAGE_NUMBER_RE.match(line.text)
        ]
        if body:
            if zone == "header":
                limits.append(max(line.top or 0.0 for line in body))
            else:
                limits.append(min(line.bottom or 0.0 for line in body))
    if not limits:
        return False
    # A line height of clearance: a first-page title starts where later pages' text starts.
    if zone == "header":
        return all((line.bottom or 0.0) > max(limits) + (line.height or 0.0) for line in lines)
    return all((line.top or 0.0) < min(limits) - (line.height or 0.0) for line in lines)


def _table_of_contents(pages: list[Page]) -> list[LineId]:
    """Dot-leader lines anywhere; after a contents heading, the run of lines that end in a
    page number (entries without leaders), the heading included."""
    found: list[LineId] = []
    for page in pages:
        in_toc = False
        for i, line in enumerate(page.lines):
            text = line.text.strip()
            if _TOC_HEADING_RE.match(text):
                in_toc = True
                found.append((page.number, i))
            elif _TOC_LEADER_RE.match(text) or (in_toc and _ENDS_IN_PAGE_RE.search(text)):
                found.append((page.number, i))
            else:
                in_toc = False
    return found
