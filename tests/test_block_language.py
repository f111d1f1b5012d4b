"""Bilingual drafts: language per block, each half matched by its own rules, passages paired.

The fixtures are built with python-docx from the two language versions of one sample MoU
(samples/mou-fjordvik-kilimani.txt and its Norwegian translation, paragraph for paragraph):
a two-column table EN | NB, the Norwegian paragraph following each English one, and the
Norwegian half alone.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from analyser.block_language import block_languages, language_shares
from analyser.document import Block
from analyser.extract import extract
from analyser.pipeline import Analyser
from analyser.report import Report
from tests.conftest import SAMPLES


def _halves() -> list[tuple[str, str]]:
    english = extract(SAMPLES / "mou-fjordvik-kilimani.txt").blocks
    norwegian = extract(SAMPLES / "mou-fjordvik-kilimani-nb.txt").blocks
    assert len(english) == len(norwegian)
    return [(e.text, n.text) for e, n in zip(english, norwegian, strict=True)]


def _build(path: Path, layout: str) -> Path:
    draft = docx.Document()
    pairs = _halves()
    if layout == "table":
        table = draft.add_table(rows=len(pairs), cols=2)
        for row, (en, nb) in enumerate(pairs):
            table.cell(row, 0).text, table.cell(row, 1).text = en, nb
    else:
        for en, nb in pairs:
            if layout == "following":
                draft.add_paragraph(en)
            draft.add_paragraph(nb)
    draft.save(str(path))
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    folder = tmp_path_factory.mktemp("bilingual")
    analyser = Analyser.for_profile(None)
    return {
        layout: analyser.analyse_document(extract(_build(folder / f"{layout}.docx", layout)))
        for layout in ("table", "following", "nb-only")
    }


@pytest.mark.parametrize("layout", ["table", "following"], ids=["two-columns", "nb-follows"])
def test_block_language_bilingual_report_lists_both_languages(reports, layout: str) -> None:
    languages = reports[layout].document.languages
    assert set(languages) == {"en", "nb"}
    assert 0.35 < languages["en"] < 0.65 and abs(sum(languages.values()) - 1) < 0.02


@pytest.mark.parametrize("layout", ["table", "following"], ids=["two-columns", "nb-follows"])
def test_block_language_norwegian_half_alone_gets_the_same_statuses(reports, layout) -> None:
    whole = {c.id: c.status for c in reports[layout].clauses}
    norwegian = {c.id: c.status for c in reports["nb-only"].clauses}
    assert whole == norwegian


@pytest.mark.parametrize("layout", ["table", "following"], ids=["two-columns", "nb-follows"])
def test_block_language_each_finding_once_with_its_translation(reports, layout) -> None:
    report = reports[layout]
    quoted = [ev for c in report.clauses for ev in c.evidence]
    assert quoted and all(ev.translation for ev in quoted)
    for clause in report.clauses:
        texts = [ev.text for ev in clause.evidence] + [ev.translation for ev in clause.evidence]
        assert len(texts) == len(set(texts)), clause.id  # no passage twice, in either language
    assert (
        "translation" in report.to_dict()["clauses"][0]["evidence"][0]
        or not (report.to_dict()["clauses"][0]["evidence"])
    )


def test_block_language_monolingual_document_stays_one_language(reports) -> None:
    assert reports["nb-only"].document.languages == {}
    assert "translation" not in str(reports["nb-only"].to_dict())


def test_block_language_short_blocks_follow_their_neighbours() -> None:
    texts = [
        "Article 3 – Shared values",
        "The Parties affirm that all activities under this Memorandum respect human rights.",
        "Artikkel 3 – Felles verdier",
        "Partene bekrefter at all virksomhet under denne avtalen respekterer menneskerettighetene.",
    ]
    blocks = [Block(t, 0, len(t)) for t in texts]
    languages = block_languages(blocks, "en")
    assert languages == ["en", "en", "nb", "nb"]
    assert set(language_shares(blocks, languages)) == {"en", "nb"}


def test_block_language_incidental_norwegian_does_not_split_a_document() -> None:
    texts = ["The Parties shall cooperate in research and share data under this agreement. " * 12]
    texts.append(
        "Universitetet i Oslo, Postboks 1072 Blindern, og 0316 Oslo er adressen til partene"
    )
    blocks = [Block(t, 0, len(t)) for t in texts]
    assert block_languages(blocks, "en") == ["en", "en"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_block_language_translation_shown_beside_the_quote(reports, fmt: str) -> None:
    from analyser.render import render

    report = reports["table"]
    first = next(ev for c in report.clauses for ev in c.evidence)
    out = render(report, fmt)
    assert "Translation:" in out
    assert first.translation and first.translation.split()[1] in out
