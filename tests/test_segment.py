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
    result = segment(
        make_document(
            ("Article 3 – Values", "heading"), "1. The Parties respect it.", "2. They also agree."
        )
    )
    assert [s.section for s in result.sentences[1:]] == ["Article 3(1)", "Article 3(2)"]


def _blocks_document(*blocks: tuple[str, str, str | None]) -> Document:
    """A document from (text, kind, Word number) triples, as the DOCX extractor emits them."""
    text, plain = join_blocks([(t, 1, kind, number, None) for t, kind, number in blocks])
    return Document("t.docx", "t.docx", "0" * 64, "docx", text, plain)


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (
            [("Exchange of staff", "list_item", "3.2"), ("visits of staff", "list_item", "(a)")],
            "3.2(a)",
        ),
        (
            [("Duties", "list_item", "3.2"), ("report yearly", "list_item", "a)")],
            "3.2(a)",
        ),
        (
            [
                ("Duties", "list_item", "3.2"),
                ("report yearly", "list_item", "(a)"),
                ("in writing", "list_item", "(i)"),
            ],
            "3.2(a)(i)",
        ),
        (
            [
                ("Duties", "list_item", "3.2"),
                ("first", "list_item", "(h)"),
                ("second", "list_item", "(i)"),
            ],
            "3.2(i)",
        ),
        (
            [
                ("Academic freedom", "heading", "Article 3"),
                ("The Parties agree.", "list_item", "1."),
            ],
            "Article 3(1)",
        ),
    ],
    ids=["word-item-under-parent", "item-paren", "roman-nested", "i-after-h", "word-article"],
)
def test_segment_word_numbered_items_keep_their_parent(blocks: list, expected: str) -> None:
    result = segment(_blocks_document(*blocks))
    assert result.sentences[-1].section == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["3.1", "The Parties share data.", "3.2", "Each Party may publish."], "3.2"),
        (["Article 3", "Each Party may publish."], "Article 3"),
        (["1", "Scope", "2", "Each Party may publish."], "2"),
    ],
    ids=["decimal", "article", "integer-sequence"],
)
def test_segment_number_in_its_own_table_cell(cells: list[str], expected: str) -> None:
    result = segment(_blocks_document(*[(c, "table_cell", None) for c in cells]))
    assert result.sentences[-1].section == expected


def test_segment_quantity_in_a_table_is_not_a_clause_number() -> None:
    result = segment(
        _blocks_document(
            ("Article 4 – Budget", "heading", None),
            ("Laptops", "table_cell", None),
            ("12", "table_cell", None),
            ("Each Party bears its own costs.", "paragraph", None),
        )
    )
    assert result.sentences[-1].section == "Article 4 Budget"


def test_segment_docx_auto_numbered_item_cited_with_parent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """python-docx draft whose "(a)" items come from Word's numbering, not from the text."""
    from analyser.extract import extract
    from tests.extract_fixtures import build_agreement_docx

    document = extract(build_agreement_docx(tmp_path / "numbered.docx"))
    sections = {s.text: s.section for s in segment(document).sentences}
    assert sections["visits of up to three months"] == "1.2(a)"
    assert sections["secondments"] == "1.2(b)"
    assert sections["Publications"] == "1.3"


def test_segment_table_row_with_number_cell_from_python_docx(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import docx

    from analyser.extract import extract

    draft = docx.Document()
    draft.add_heading("Article 3 – Publication", 1)
    table = draft.add_table(rows=2, cols=2)
    rows = [("3.1", "The Parties share data."), ("3.2", "Each Party may publish its results.")]
    for r, (number, text) in enumerate(rows):
        table.cell(r, 0).text, table.cell(r, 1).text = number, text
    draft.save(str(tmp_path / "cells.docx"))
    result = segment(extract(tmp_path / "cells.docx"))
    publish = next(s for s in result.sentences if s.text.startswith("Each Party may publish"))
    assert publish.section == "3.2"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- 第１２条の１　丙は、本研究の成果を報告する。", "第12条の1"),
        ("第３条　本研究の期間。", "第3条"),
    ],
    ids=["article-paragraph-fullwidth", "article"],
)
def test_segment_japanese_article_numbers(line: str, expected: str) -> None:
    assert segment(make_document(line)).sentences[-1].section == expected


# --- the boundary component against the per-token version it replaced (issue 18) ----------


def _reference_boundaries(doc):  # noqa: ANN001, ANN202 - the pre-issue-18 component, verbatim
    """Token by token with ``Token.is_sent_start``, as shipped before issue 18."""
    from analyser.segment import _LETTERED, _abbreviation_before, _abbreviations

    never_final, may_end = _abbreviations()
    for tok in doc[1:]:
        tok.is_sent_start = False
    doc[0].is_sent_start = True if len(doc) else None
    for i in range(len(doc) - 1):
        tok, nxt = doc[i], doc[i + 1]
        if nxt.is_space:
            continue
        j = i + 1
        boundary = False
        if tok.text in {"?", "!"} or tok.text.endswith((".", "?", "!")) and tok.text not in {"..."}:
            abbr = _abbreviation_before(doc, i) if tok.text.endswith(".") else None
            if abbr is None or abbr.isdigit():
                boundary = not nxt.text[:1].islower() and not (abbr and abbr.isdigit() and i < 2)
            elif abbr in never_final or len(abbr) == 1:
                boundary = False
            elif abbr in may_end:
                boundary = nxt.text[:1].isupper()
            else:
                boundary = not nxt.text[:1].islower()
        elif tok.is_space and "\n" in tok.text and _LETTERED.match(doc[j:].text[:8] + " x"):
            boundary = True
        if boundary:
            doc[j].is_sent_start = True
    return doc


def _boundary_texts() -> list[tuple[str, str]]:
    """Samples' and development-corpus texts (held-out texts are never read by tests)."""
    import json
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    corpus = repo.parent / "shared" / "corpus"
    paths = sorted((repo / "samples").glob("*.txt"))
    labels = corpus / "dev-labels.jsonl"
    if labels.exists():
        ids = [json.loads(line)["id"] for line in labels.read_text("utf-8").splitlines() if line]
        paths += [corpus / "texts" / f"{i}.txt" for i in ids]
    edge_cases = "Art. 5. The\n(a) x\n\n(b) Ltd. The end.\n(c)  e.g. this. That?! ... Next"
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths] + [("edge", edge_cases)]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_segment_boundaries_same_as_the_per_token_component(lang: str) -> None:
    from analyser.segment import legal_sentence_boundaries, sentence_pipeline

    nlp = sentence_pipeline(lang)
    texts = _boundary_texts()
    assert len(texts) > 20
    for name, text in texts:
        for block in text.split("\n\n"):
            if not block:
                continue
            ours = legal_sentence_boundaries(nlp.make_doc(block))
            reference = _reference_boundaries(nlp.make_doc(block))
            assert [t.is_sent_start for t in ours] == [t.is_sent_start for t in reference], name
