"""The document with its findings in place: the extracted text, block by block, with every
evidence passage, concern and red flag marked where it stands.

A report lists findings; an adviser wants to see them in the agreement. This module cuts the
extracted text (``Document.blocks``) at the start and end of every quoted passage and says
which findings cover each piece, so a template can draw the marks and link each one to its
finding and back. The result is plain JSON-able data: the web server stores it beside the
report (the :class:`~analyser.document.Document` is gone once the worker returns), and the
HTML report renders the same structure, so both views agree.

Offsets come from the report's evidence (``start``/``end`` index ``Document.text``), so a mark
is exact even where the quote's whitespace was collapsed in the report.
"""

from __future__ import annotations

from typing import Any

from analyser.document import Document

# Block kinds shown as headings in the view (the clause structure), the rest as paragraphs.
_HEADING_KINDS = frozenset({"heading"})


def _marks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every located passage of the report, in report order, with a stable id "m<n>"."""
    found: list[dict[str, Any]] = []

    def add(kind: str, target: str, title: str, tone: str, ev: dict[str, Any]) -> None:
        start, end = ev.get("start"), ev.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            found.append(
                {
                    "id": f"m{len(found) + 1}",
                    "kind": kind,
                    "target": target,
                    "title": title,
                    "tone": tone,
                    "start": start,
                    "end": end,
                }
            )

    for clause in [*report.get("clauses", []), *report.get("extra_clauses", [])]:
        target = f"clause-{clause['id']}"
        for ev in clause.get("evidence") or []:
            add("evidence", target, clause.get("title", clause["id"]), clause["status"], ev)
        for concern in clause.get("concerns") or []:
            for ev in concern.get("evidence") or []:
                add("concern", target, clause.get("title", clause["id"]), "concern", ev)
    for flag in report.get("red_flags") or []:
        for ev in flag.get("evidence") or []:
            add("red_flag", f"flag-{flag['id']}", flag.get("title", flag["id"]), "flag", ev)
    return found


def view_paragraphs(
    view: dict[str, Any], sections: list[str | None] | None = None
) -> list[tuple[str, str | None]]:
    """The text of each block of a stored :func:`document_view`, with its article when
    ``sections`` (one per block, :func:`analyser.segment.block_sections`) were kept too."""
    blocks = view.get("blocks") or []
    if sections is None or len(sections) != len(blocks):
        sections = [None] * len(blocks)
    return [
        ("".join(piece["text"] for piece in block.get("pieces", [])), section)
        for block, section in zip(blocks, sections, strict=True)
    ]


def mark_key(target: str, start: int, end: int) -> str:
    """How a finding's quote finds its mark: "clause-ipr:120:180"."""
    return f"{target}:{start}:{end}"


def document_view(document: Document, report: dict[str, Any]) -> dict[str, Any]:
    """The view of ``document`` with the passages of ``report`` (``Report.to_dict()``) marked.

    Returns ``{"blocks": [...], "index": {mark_key: mark id}}``. Each block has its ``kind``,
    ``number``, ``page``, ``part`` and ``pieces``: runs of text, each with the ids of the marks
    covering it (``marks``) and of the marks that begin there (``opens``, where the link back
    to the finding is drawn, once per mark).
    """
    marks = _marks(report)
    index: dict[str, str] = {}
    for mark in marks:
        index.setdefault(mark_key(mark["target"], mark["start"], mark["end"]), mark["id"])
    # One mark per distinct passage and finding; a repeated quote links to the first.
    unique = [m for m in marks if index[mark_key(m["target"], m["start"], m["end"])] == m["id"]]
    opened: set[str] = set()
    blocks = []
    for block in document.blocks:
        inside = [m for m in unique if m["start"] < block.end and m["end"] > block.start]
        cuts = {block.start, block.end}
        for m in inside:
            cuts.update(p for p in (m["start"], m["end"]) if block.start < p < block.end)
        points = sorted(cuts)
        pieces = []
        for left, right in zip(points, points[1:], strict=False):
            covering = [m for m in inside if m["start"] < right and m["end"] > left]
            opens = [m["id"] for m in covering if m["id"] not in opened]
            opened.update(opens)
            pieces.append(
                {
                    "text": document.text[left:right],
                    "marks": [m["id"] for m in covering],
                    "opens": opens,
                }
            )
        blocks.append(
            {
                "kind": "heading" if block.kind in _HEADING_KINDS else block.kind,
                "number": block.number,
                "page": block.page,
                "part": block.part,
                "pieces": pieces,
            }
        )
    return {
        "blocks": blocks,
        "marks": {m["id"]: {k: m[k] for k in ("kind", "target", "title", "tone")} for m in unique},
        "index": index,
    }
