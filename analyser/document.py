"""Data that flows out of extraction and segmentation.

Extraction turns a file into a :class:`Document`: the full text plus ``blocks`` that say where
each paragraph stands (page, section, character offsets). Every later stage refers back to the
document only by offsets into ``Document.text``, so evidence quoted in a report is always a
verbatim slice of what was extracted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "list_item", "table_cell", "header", "footer"]
FileFormat = Literal["pdf", "docx", "txt"]


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
