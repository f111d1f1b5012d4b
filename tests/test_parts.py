"""Parts of an agreement: preamble, recitals, body, signature block and annexes."""

from __future__ import annotations

import pytest

from analyser.document import Block, Document, join_blocks
from analyser.parts import annex_label, find_parts
from analyser.segment import opens_clause, segment


def make_document(*paragraphs: str) -> Document:
    text, blocks = join_blocks([(p, 1, "paragraph", None, None) for p in paragraphs])
    return Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks)


def parts_of(*paragraphs: str) -> list[str | None]:
    return find_parts(make_document(*paragraphs).blocks, opens_clause)


_EN_AGREEMENT = (
    "RESEARCH COLLABORATION AGREEMENT",
    "This Agreement is made between the University of Nordhavn and Hanbit National University.",
    "WHEREAS the Parties wish to cooperate in marine research;",
    "WHEREAS both Parties are committed to academic freedom;",
    "NOW, THEREFORE, the Parties have agreed as follows:",
    "Article 1 – Purpose",
    "The Parties shall cooperate in research and education in marine science. " * 4,
    "Article 2 – Publication",
    "Each Party may publish the results of the joint research after 30 days' notice. " * 4,
    "IN WITNESS WHEREOF the Parties have signed this Agreement in two originals.",
    "For the University of Nordhavn: ____________ Rector",
    "For Hanbit National University: ____________ President",
    "Annex 2 – Data Management Plan",
    "1.3 Personal data shall be stored on servers located in the EEA.",
)

_NB_AGREEMENT = (
    "AVTALE OM FORSKNINGSSAMARBEID",
    "mellom Nordlys universitet og Red River University, heretter kalt partene, har inngått "
    "følgende samarbeidsavtale.",
    "Bakgrunn",
    "Fagmiljøene ved partene har samarbeidet om feltkurs siden 2021.",
    "§ 1 Formål",
    "Formålet med avtalen er å legge til rette for samarbeid innen forskning og utdanning. " * 4,
    "Til bekreftelse er avtalen undertegnet i to eksemplarer.",
    "Sted og dato: ____________",
    "Vedlegg 2 – Datahåndtering",
    "1. Personopplysninger skal lagres i Norge.",
)


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (
            _EN_AGREEMENT,
            ["Preamble", "Preamble", "Recitals", "Recitals", "Recitals", None, None, None, None]
            + ["Signature block"] * 3
            + ["Annex 2"] * 2,
        ),
        (
            _NB_AGREEMENT,
            ["Preamble", "Preamble", "Recitals", "Recitals", None, None]
            + ["Signature block"] * 2
            + ["Vedlegg 2"] * 2,
        ),
    ],
    ids=["english-whereas", "norwegian-bakgrunn"],
)
def test_parts_of_a_whole_agreement(paragraphs: tuple[str, ...], expected: list) -> None:
    assert parts_of(*paragraphs) == expected


def test_parts_treaty_preamble_ends_with_agreed_as_follows() -> None:
    parts = parts_of(
        "Cultural Agreement between the Kingdom of the Netherlands and the Republic of Finland",
        "The Government of the Kingdom of the Netherlands and the Government of the Republic of "
        "Finland, Desiring to strengthen the friendly relations, Have agreed as follows:",
        "The Contracting Parties shall encourage cooperation between universities. " * 5,
        "The Contracting Parties shall exchange scholars and students every year. " * 5,
    )
    assert parts == ["Preamble", "Preamble", None, None]


def test_parts_without_a_visible_body_start_label_nothing() -> None:
    """Prose with no numbered clause and no "agreed as follows" has no preamble to discount."""
    parts = parts_of(
        "Letter of intent",
        "The universities intend to cooperate in research and education. " * 10,
        "Each party will protect personal data according to the GDPR. " * 10,
        "Either party may end the cooperation by written notice. " * 10,
    )
    assert parts == [None, None, None, None]


def test_parts_signature_words_followed_by_clauses_are_not_a_signature_block() -> None:
    parts = parts_of(
        "1. Purpose",
        "The Parties cooperate.",
        "Signed copies shall be exchanged by e-mail.",
        "2. Termination",
        "Either Party may terminate this Agreement for breach. " * 8,
    )
    assert "Signature block" not in parts


def test_parts_list_of_annexes_in_the_body_is_not_an_annex() -> None:
    parts = parts_of(
        "1. Entire agreement",
        "This Agreement and the Attachments listed below embody the entire understanding.",
        "Attachment 1: Project Specific Information",
        "Attachment 2: Data-specific Terms and Conditions",
        "2. Termination",
        "Either Party may terminate this Agreement for breach of its terms. " * 8,
    )
    assert parts == [None] * 6


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Annex 2 – Data Management Plan", "Annex 2"),
        ("ANNEX II", "Annex II"),
        ("Appendix A: Research plan", "Appendix A"),
        ("Schedule 1", "Schedule 1"),
        ("Vedlegg 2 Datahåndtering", "Vedlegg 2"),
        ("EXHIBIT B: IP ALLOCATION", "Exhibit B"),
        ("Annex", "Annex"),
        ("Annex 1 sets out the work plan agreed by the Parties.", None),
        ("Schedule the meetings twice a year", None),
        ("Attachment 2 Type: [choose one of the following:]", None),
        ("Annex 3 Budget ........ 14", None),
    ],
    ids=[
        "annex-number-title",
        "roman",
        "appendix-letter",
        "schedule",
        "vedlegg",
        "exhibit-caps",
        "bare-word",
        "sentence-about-annex",
        "verb-schedule",
        "form-field",
        "toc-line",
    ],
)
def test_parts_annex_label(line: str, expected: str | None) -> None:
    assert annex_label(Block(line, 0, len(line))) == expected


def test_parts_footnote_keeps_its_own_part() -> None:
    text, blocks = join_blocks(
        [
            ("Article 6 – Data", 1, "heading", None, None),
            ("Data are stored in Norway.1", 1, "paragraph", None, None),
            ("1 Or another EEA country.", 1, "footnote", None, None),
            ("Article 7 – Term", 1, "heading", None, None),
        ]
    )
    blocks[2] = Block(
        blocks[2].text, blocks[2].start, blocks[2].end, 1, "footnote", part="footnote 1"
    )
    document = Document("t.docx", "t.docx", "0" * 64, "docx", text, blocks)
    result = segment(document)
    footnote = [s for s in result.sentences if s.block == 2]
    assert footnote[0].part == "footnote 1"
    assert footnote[0].section == "footnote 1, Article 6 Data"
    assert result.sentences[-1].section == "Article 7 Term"


@pytest.mark.parametrize(
    ("paragraphs", "needle", "part", "section"),
    [
        (_EN_AGREEMENT, "Personal data shall be stored", "Annex 2", "Annex 2, 1.3"),
        (_EN_AGREEMENT, "WHEREAS both Parties", "Recitals", "Recitals"),
        (_EN_AGREEMENT, "Each Party may publish", None, "Article 2 Publication"),
        (_EN_AGREEMENT, "For Hanbit", "Signature block", "Signature block"),
        (_NB_AGREEMENT, "Personopplysninger skal", "Vedlegg 2", "Vedlegg 2, 1"),
        (_NB_AGREEMENT, "Fagmiljøene", "Recitals", "Recitals"),
        (_NB_AGREEMENT, "Formålet med avtalen", None, "§ 1 Formål"),
    ],
    ids=[
        "annex-clause",
        "recital",
        "body",
        "signature",
        "vedlegg-clause",
        "bakgrunn",
        "paragraph-sign",
    ],
)
def test_parts_sentence_part_and_section(
    paragraphs: tuple[str, ...], needle: str, part: str | None, section: str
) -> None:
    sentence = next(s for s in segment(make_document(*paragraphs)).sentences if needle in s.text)
    assert (sentence.part, sentence.section) == (part, section)


def test_parts_docx_footnote_cited_by_the_clause_that_refers_to_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A Writer draft saved as DOCX by LibreOffice, with a footnote and an endnote."""
    from docx_fixtures import FOOTNOTE, build_writer_draft
    from extract_fixtures import soffice

    from analyser.extract import extract

    if not soffice():
        pytest.skip("LibreOffice not installed")
    path, _ = build_writer_draft(tmp_path)
    sentences = segment(extract(path)).sentences
    note = next(s for s in sentences if s.text == FOOTNOTE)
    assert (note.part, note.section) == ("footnote 1", "footnote 1, Article 5 Data management")
