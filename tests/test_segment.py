"""Sentence boundaries and section tracking on contract text."""

from __future__ import annotations

import pytest

from analyser.document import Document, join_blocks
from analyser.segment import segment


def make_document(*paragraphs: str | tuple[str, str], page: int = 1) -> Document:
    parts = []
    for p in paragraphs:
        text, kind = (p, "paragraph") if isinstance(p, str) else p
        parts.append((text, page, kind, None, None))
    text, blocks = join_blocks(parts)
    return Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beta Ltd. The Supplier shall pay.", ["Beta Ltd.", "The Supplier shall pay."]),
        (
            "Data is shared, e.g. survey data, under Art. 5 of the Act. It is kept.",
            ["Data is shared, e.g. survey data, under Art. 5 of the Act.", "It is kept."],
        ),
        ("See no. 5 below. Then stop.", ["See no. 5 below.", "Then stop."]),
        (
            "Partene skal f.eks. dele data, jf. pkt. 4. Avtalen kan sies opp.",
            ["Partene skal f.eks. dele data, jf. pkt. 4.", "Avtalen kan sies opp."],
        ),
        (
            "The parties agree, i.e. both of them. Fine?",
            ["The parties agree, i.e. both of them.", "Fine?"],
        ),
    ],
    ids=["ltd-then-capital", "eg-and-art", "no-abbreviation", "norwegian-abbreviations", "ie"],
)
def test_segment_sentence_boundaries(text: str, expected: list[str]) -> None:
    result = segment(make_document(text))
    assert [s.text for s in result.sentences] == expected


def test_segment_offsets_are_verbatim() -> None:
    doc = make_document(
        "Article 1 Purpose", "1.1 The Parties  cooperate. They share data.", "(a) first; and"
    )
    for s in segment(doc).sentences:
        assert doc.text[s.start : s.end] == s.text


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            (("Article 9 – Termination", "heading"), "Either party may terminate."),
            "Article 9 Termination",
        ),
        (("ARTICLE V", "Either party may terminate."), "Article V"),
        (("9. Termination", "9.2 Either party may terminate."), "9.2"),
        (("§ 4 Oppsigelse", "Avtalen kan sies opp."), "§ 4 Oppsigelse"),
        (("Artikkel 7 Data", "Partene deler data."), "Artikkel 7 Data"),
        (("7.1 Scope.", "(b) Either party may terminate."), "7.1(b)"),
        (
            (("Intellectual Property", "heading"), "Results belong to the creator."),
            "Intellectual Property",
        ),
    ],
    ids=[
        "article-heading",
        "roman",
        "decimal",
        "paragraph-sign",
        "artikkel",
        "lettered",
        "word-heading",
    ],
)
def test_segment_section_of_last_sentence(paragraphs: tuple, expected: str) -> None:
    result = segment(make_document(*paragraphs))
    assert result.sentences[-1].section == expected


def test_segment_year_is_not_a_clause_number() -> None:
    result = segment(make_document("Article 2 Term", "2024 will see the first exchange."))
    assert result.sentences[-1].section == "Article 2 Term"


def test_segment_list_item_does_not_leak_into_next_paragraph() -> None:
    result = segment(make_document("5.1 Duties:", "(a) report yearly;", "The rest applies."))
    assert result.sentences[-1].section == "5.1"


def test_segment_long_block_is_chunked_without_loss() -> None:
    text = ("The Parties share data. " * 5000).strip()
    doc = make_document(text)
    sentences = segment(doc).sentences
    assert len(sentences) == 5000
    assert all(doc.text[s.start : s.end] == s.text for s in sentences)


def test_segment_numbered_paragraph_inside_article() -> None:
    result = segment(make_document(("Article 3 – Values", "heading"), "1. The Parties respect it.",
                                   "2. They also agree."))
    assert [s.section for s in result.sentences[1:]] == ["Article 3(1)", "Article 3(2)"]
