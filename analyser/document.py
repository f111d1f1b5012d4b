"""Data that flows out of extraction and segmentation.

Extraction turns a file into a :class:`Document`: the full text plus ``blocks`` that say where
each paragraph stands (page, section, character offsets). Every later stage refers back to the
document only by offsets into ``Document.text``, so evidence quoted in a report is always a
verbatim slice of what was extracted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal[
    "paragraph", "heading", "list_item", "table_cell", "header", "footer", "footnote", "comment"
]
FileFormat = Literal["pdf", "docx", "txt"]
# Why a passage present in the file is not analysed: a reader cannot see it (hidden), or it is
# page furniture rather than agreement text (skipped).
HiddenReason = Literal[
    "hidden_run",  # DOCX w:vanish / w:specVanish
    "invisible_colour",  # white on white, text the same colour as its background
    "tiny_font",  # too small to read (e.g. 1 pt)
    "deleted_row",  # DOCX w:trPr/w:del
    "alternate_content",  # the mc:Choice branch Word does not show
    "render_mode_invisible",  # PDF text render mode 3 / 7
    "outside_page",  # PDF text outside the crop box
    "clipped",  # PDF text inside a zero-area clip
    "optional_content_off",  # PDF optional content group that is OFF
    "actual_text_mismatch",  # PDF /ActualText or ToUnicode that disagrees with the glyphs
    "other",
]
SkippedKind = Literal[
    "running_header", "running_footer", "page_number", "letterhead", "table_of_contents", "other"
]


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit of text, located in the document.

    ``number`` is list or clause numbering the source format knows about but that is not part
    of ``text`` (Word's automatic numbering); numbering typed into the text stays in ``text``.
    """

    text: str
    start: int
    end: int
    page: int | None = None
    kind: BlockKind = "paragraph"
    number: str | None = None
    level: int | None = None
    # Language of this block (ISO 639-1; bokmål "nb", nynorsk "nn") when a detector decided
    # it; None means "the document's language". Bilingual drafts are matched block by block.
    language: str | None = None
    # Where the block sits outside the main body: "Annex 2", "footnote 3". None for the body.
    part: str | None = None


@dataclass(frozen=True)
class HiddenPassage:
    """Text that is in the file but that a reader of the rendered draft cannot see.

    It is never evidence; the report counts and lists it, because a clause hidden in a
    partner's draft is itself worth an adviser's attention.
    """

    text: str
    reason: HiddenReason
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True)
class SkippedPassage:
    """Page furniture kept out of the analysed text (running headers, tables of contents)."""

    text: str
    kind: SkippedKind
    page: int | None = None


@dataclass(frozen=True)
class RevisionMark:
    """One tracked change in a DOCX (w:ins, w:del, w:moveFrom, w:moveTo)."""

    kind: Literal["inserted", "deleted"]
    text: str
    author: str | None = None
    date: str | None = None  # ISO 8601 as written in the file
    section: str | None = None


@dataclass
class Revisions:
    """Pending tracked changes of a DOCX and the draft as it read before them.

    ``Document.text`` is the draft with every change accepted (what Word shows in "Simple
    Markup"); ``before`` is the same draft with every change rejected, extracted the same way,
    so the pipeline can judge both readings and say what the redline does.
    """

    marks: list[RevisionMark]
    before: Document | None = None

    @property
    def insertions(self) -> int:
        return sum(1 for m in self.marks if m.kind == "inserted")

    @property
    def deletions(self) -> int:
        return sum(1 for m in self.marks if m.kind == "deleted")

    @property
    def authors(self) -> list[str]:
        return sorted({m.author for m in self.marks if m.author})

    @property
    def dates(self) -> list[str | None]:
        dated = sorted(m.date for m in self.marks if m.date)
        return [dated[0], dated[-1]] if dated else []


@dataclass
class Document:
    """The extracted text of one agreement.

    ``text`` is the body blocks joined with blank lines; ``blocks[i].start/end`` index it.
    Headers and footers are kept apart in ``furniture`` so they never count as clause text.
    """

    name: str
    path: str
    sha256: str
    format: FileFormat
    text: str
    blocks: list[Block]
    pages: int | None = None
    furniture: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hidden: list[HiddenPassage] = field(default_factory=list)
    skipped: list[SkippedPassage] = field(default_factory=list)
    revisions: Revisions | None = None  # DOCX with pending tracked changes only


def join_blocks(
    parts: list[tuple[str, int | None, BlockKind, str | None, int | None]],
) -> tuple[str, list[Block]]:
    """Build the full text and located blocks from (text, page, kind, number, level) tuples.

    Extractors call this so that the offset arithmetic lives in one place.
    """
    pieces: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for text, page, kind, number, level in parts:
        text = text.strip()
        if not text:
            continue
        if pieces:
            pieces.append("\n\n")
            offset += 2
        pieces.append(text)
        blocks.append(Block(text, offset, offset + len(text), page, kind, number, level))
        offset += len(text)
    return "".join(pieces), blocks
