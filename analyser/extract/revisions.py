"""Tracked changes in a DOCX: what they are, and how the draft read before them.

A draft under negotiation carries the partner's pending changes as revision markup
(ECMA-376 Part 1, §17.13.5): ``w:ins`` / ``w:del`` around runs, ``w:moveFrom`` / ``w:moveTo``
for moved text, ``w:pPr/w:rPr/w:ins|w:del`` for an inserted or deleted paragraph mark (two
paragraphs joined or split), ``w:trPr/w:ins|w:del`` for table rows. Formatting-only changes
(``w:rPrChange``, ``w:pPrChange``) do not change the text and are ignored.

The extractor (:mod:`analyser.extract.docx`) reads the draft with every change accepted, which
is what Word shows. This module adds the other reading, every change rejected, so the pipeline
can say what the redline does to each clause. It is built by rewriting the XML the way Word's
"Reject All" would and handing the rewritten package to the same extractor: the two readings
can then differ only where the markup differs, never because two parsers disagree.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from docx.oxml.ns import qn
from lxml import etree

from analyser.document import Document, RevisionMark, Revisions
from analyser.extract.container import check_zip, replace_members
from analyser.limits import Limits

# Parts whose text the extractor reads and that can carry revision markup.
REVISED_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
_INSERTED = frozenset({qn("w:ins"), qn("w:moveTo")})
_DELETED = frozenset({qn("w:del"), qn("w:moveFrom")})
# Where a w:ins / w:del is a property of its parent rather than a wrapper around content.
_PROPERTY_PARENTS = frozenset({qn("w:rPr"), qn("w:pPr"), qn("w:trPr"), qn("w:tcPr")})
# Subtrees whose text is not part of the paragraph's own reading (see docx.py's _SKIP).
_NOT_TEXT = frozenset(
    qn(t) for t in ("w:pPr", "w:rPr", "w:instrText", "w:delInstrText", "w:drawing", "w:pict")
)
_TEXT = frozenset({qn("w:t"), qn("w:delText")})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class _Piece:
    """A stretch of paragraph text: changed (kind set) or unchanged (kind None)."""

    kind: str | None
    text: str
    author: str | None = None
    date: str | None = None


def has_revisions(root: etree._Element) -> bool:
    """True when the part holds any text-changing revision markup."""
    return any(True for _ in _changes(root))


def _changes(root: etree._Element) -> Iterator[etree._Element]:
    yield from root.iter(*_INSERTED, *_DELETED)


def read_revisions(
    data: bytes, after: Document, *, limits: Limits | None = None
) -> Revisions | None:
    """The tracked changes of a DOCX and its "before" reading; None when it has none.

    ``after`` is the extractor's reading of ``data`` (every change accepted); its name, path
    and sha256 are reused for the before reading so both describe the same file.
    """
    from analyser.extract.docx import extract_docx

    limits = limits or Limits()
    check_zip(data, limits, after.path)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        roots = {
            name: etree.fromstring(archive.read(name), _PARSER)
            for name in REVISED_PARTS
            if name in names
        }
    if not any(has_revisions(root) for root in roots.values()):
        return None
    marks = collect_marks(roots["word/document.xml"]) if "word/document.xml" in roots else []
    for name in ("word/footnotes.xml", "word/endnotes.xml"):
        if name in roots:
            marks.extend(collect_marks(roots[name]))
    rejected = {name: reject_all(root) for name, root in roots.items() if has_revisions(root)}
    before_bytes = replace_members(data, {n: etree.tostring(r) for n, r in rejected.items()})
    before = extract_docx(
        before_bytes, name=after.name, path=after.path, sha256=after.sha256, limits=limits
    )
    return Revisions(marks, before)


# --- marks -------------------------------------------------------------------------------


def collect_marks(root: etree._Element) -> list[RevisionMark]:
    """One mark per stretch of same-kind, same-author change, in reading order.

    Word stores one ``w:del`` per run, so a deleted three-paragraph article is a dozen
    elements; a reader counts it as one deletion. Consecutive changed pieces of one kind and
    author merge, also across a paragraph mark changed the same way; unchanged text ends a
    stretch. Paragraph-mark-only changes (two paragraphs joined) carry no text and are not
    counted.
    """
    marks: list[RevisionMark] = []
    current: list[_Piece] = []

    def flush() -> None:
        text = "\n".join(
            " ".join(line.split()) for line in "".join(p.text for p in current).split("\n")
        )
        text = text.strip()
        if current and text:
            first = current[0]
            dates = sorted(p.date for p in current if p.date)
            date = dates[0] if dates else None
            if first.kind == "inserted":
                marks.append(RevisionMark("inserted", text, first.author, date))
            else:
                marks.append(RevisionMark("deleted", text, first.author, date))
        current.clear()

    for piece in _pieces(root):
        if piece.kind is None:
            if piece.text.strip() or piece.text == "\n":
                flush()
            continue
        if current and (current[0].kind, current[0].author) != (piece.kind, piece.author):
            flush()
        current.append(piece)
    flush()
    return marks


def _pieces(root: etree._Element) -> Iterator[_Piece]:
    for p in root.iter(qn("w:p")):
        if _inside_text_box(p):
            continue
        yield from _paragraph_pieces(p, None)
        kind, author, date = _property_change(p.find(qn("w:pPr")))
        yield _Piece(kind, "\n", author, date)


def _property_change(ppr: etree._Element | None) -> tuple[str | None, str | None, str | None]:
    """(kind, author, date) of a paragraph-mark change, or (None, None, None)."""
    rpr = ppr.find(qn("w:rPr")) if ppr is not None else None
    if rpr is not None:
        for child in rpr:
            if child.tag in _INSERTED or child.tag in _DELETED:
                kind = "inserted" if child.tag in _INSERTED else "deleted"
                return kind, child.get(qn("w:author")), child.get(qn("w:date"))
    return None, None, None


def _inside_text_box(p: etree._Element) -> bool:
    return any(a.tag == qn("w:txbxContent") for a in p.iterancestors())


def _paragraph_pieces(element: etree._Element, change: etree._Element | None) -> Iterator[_Piece]:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT or tag == qn("w:p"):
            continue
        if tag in _INSERTED or tag in _DELETED:
            yield from _paragraph_pieces(child, child)
        elif tag in _TEXT:
            text = child.text or ""
            if change is None:
                yield _Piece(None, text)
            else:
                kind = "inserted" if change.tag in _INSERTED else "deleted"
                yield _Piece(kind, text, change.get(qn("w:author")), change.get(qn("w:date")))
        elif tag == qn("w:tab"):
            yield _Piece(None if change is None else _kind(change), " ", *_who(change))
        else:
            yield from _paragraph_pieces(child, change)


def _kind(change: etree._Element) -> str:
    return "inserted" if change.tag in _INSERTED else "deleted"


def _who(change: etree._Element | None) -> tuple[str | None, str | None]:
    if change is None:
        return None, None
    return change.get(qn("w:author")), change.get(qn("w:date"))


# --- reject all --------------------------------------------------------------------------


def reject_all(root: etree._Element) -> etree._Element:
    """A copy of a part as it read before its tracked changes (Word's "Reject All").

    Inserted content and inserted rows go; deleted and moved-away content comes back as
    ordinary text; a paragraph whose mark was inserted is joined to the next paragraph again.
    """
    root = _copy(root)
    for element in list(root.iter(*_INSERTED)):
        parent = element.getparent()
        if parent is None:
            continue
        if parent.tag == qn("w:trPr"):
            row = parent.getparent()
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)
        elif parent.tag == qn("w:rPr") and _is_paragraph_mark(parent):
            _join_with_next(parent.getparent().getparent())  # type: ignore[union-attr]
        elif parent.tag not in _PROPERTY_PARENTS:
            parent.remove(element)
    for element in list(root.iter(*_DELETED)):
        parent = element.getparent()
        if parent is None:
            continue
        if parent.tag in _PROPERTY_PARENTS:
            parent.remove(element)
        else:
            _unwrap(element)
    for tag, plain in (("w:delText", "w:t"), ("w:delInstrText", "w:instrText")):
        for element in root.iter(qn(tag)):
            element.tag = qn(plain)
    return root


def _copy(root: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(root), _PARSER)


def _is_paragraph_mark(rpr: etree._Element) -> bool:
    ppr = rpr.getparent()
    return ppr is not None and ppr.tag == qn("w:pPr")


def _join_with_next(p: etree._Element | None) -> None:
    """Move a paragraph's content to the start of the next paragraph and drop it."""
    if p is None or p.getparent() is None:
        return
    following = p.getnext()
    parent = p.getparent()
    assert parent is not None
    if following is None or following.tag != qn("w:p"):
        ppr = p.find(qn("w:pPr"))
        rpr = ppr.find(qn("w:rPr")) if ppr is not None else None
        if rpr is not None:
            for marker in [c for c in rpr if c.tag in _INSERTED]:
                rpr.remove(marker)
        return
    content = [c for c in p if c.tag != qn("w:pPr")]
    anchor = following.find(qn("w:pPr"))
    index = 0 if anchor is None else following.index(anchor) + 1
    for offset, child in enumerate(content):
        following.insert(index + offset, child)
    parent.remove(p)


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)  # its tail is inter-element whitespace, meaningless in WordML
