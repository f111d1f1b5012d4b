"""Tests for analyser/docview.py: the document with its findings marked in place."""

from __future__ import annotations

from analyser.document import Document, join_blocks
from analyser.docview import document_view, mark_key


def _document() -> Document:
    text, blocks = join_blocks(
        [
            ("Article 1 Academic freedom", 1, "heading", None, None),
            (
                "The Parties respect academic freedom. Publication needs prior approval.",
                1,
                "paragraph",
                None,
                None,
            ),
            ("Article 2 Termination", 2, "heading", None, None),
        ]
    )
    return Document("a.txt", "a.txt", "0" * 64, "txt", text, blocks, pages=2)


def _report(doc: Document) -> dict:
    start = doc.text.index("The Parties")
    end = doc.text.index("Publication") - 1
    concern_start = doc.text.index("Publication")
    concern_end = doc.text.index("approval.") + len("approval.")
    return {
        "clauses": [
            {
                "id": "academic_freedom",
                "title": "Academic freedom",
                "status": "partial",
                "evidence": [
                    {"text": "…", "start": start, "end": end},
                    {"text": "…", "start": start, "end": end},
                ],  # repeated quote
                "concerns": [
                    {
                        "id": "approval",
                        "title": "Approval",
                        "evidence": [{"text": "…", "start": concern_start, "end": concern_end}],
                    }
                ],
            }
        ],
        "red_flags": [
            {
                "id": "publication_approval",
                "title": "Approval",
                "severity": "high",
                "evidence": [{"text": "…", "start": start, "end": concern_end}],
            }
        ],
    }


def test_docview_pieces_rebuild_the_text_exactly() -> None:
    doc = _document()
    view = document_view(doc, _report(doc))
    assert len(view["blocks"]) == len(doc.blocks)
    for block, source in zip(view["blocks"], doc.blocks, strict=True):
        assert "".join(p["text"] for p in block["pieces"]) == source.text


def test_docview_marks_cover_exactly_the_quoted_passages() -> None:
    doc = _document()
    report = _report(doc)
    view = document_view(doc, report)
    evidence = report["clauses"][0]["evidence"][0]
    mid = view["index"][mark_key("clause-academic_freedom", evidence["start"], evidence["end"])]
    marked = "".join(p["text"] for b in view["blocks"] for p in b["pieces"] if mid in p["marks"])
    assert marked == doc.text[evidence["start"] : evidence["end"]]
    assert view["marks"][mid] == {
        "kind": "evidence",
        "target": "clause-academic_freedom",
        "title": "Academic freedom",
        "tone": "partial",
    }


def test_docview_each_mark_opens_once_and_overlaps_are_kept() -> None:
    doc = _document()
    view = document_view(doc, _report(doc))
    opened = [m for b in view["blocks"] for p in b["pieces"] for m in p["opens"]]
    assert sorted(opened) == sorted(view["marks"]), "every mark has one link back, once"
    kinds = {m["kind"] for m in view["marks"].values()}
    assert kinds == {"evidence", "concern", "red_flag"}
    # The red flag spans the evidence and the concern: those pieces carry two marks.
    assert any(len(p["marks"]) == 2 for b in view["blocks"] for p in b["pieces"])


def test_docview_ignores_evidence_without_offsets() -> None:
    doc = _document()
    report = {
        "clauses": [
            {
                "id": "ipr",
                "title": "IPR",
                "status": "missing",
                "evidence": [{"text": "x", "start": 5, "end": 5}],
            }
        ]
    }
    view = document_view(doc, report)
    assert view["marks"] == {} and view["index"] == {}
