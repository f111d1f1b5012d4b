"""Tests for analyser/provisions.py: provision keys, references between articles, annexes,
and the validation of clause_patterns/provisions.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.document import Document, join_blocks
from analyser.errors import PatternError
from analyser.patterns import patterns_dir
from analyser.profiles import load_profile
from analyser.provisions import analyse_provisions, parse_provision_spec, provision_key
from analyser.segment import Sentence, segment


def _segmented(*paragraphs: str):
    text, blocks = join_blocks([(p, 1, "paragraph", None, None) for p in paragraphs])
    return segment(Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks))


@pytest.mark.parametrize(
    ("section", "part", "key"),
    [
        ("Article 8 Duration", None, "|8"),
        ("8.2", None, "|8"),
        ("Article 3(1)", None, "|3"),
        ("§ 4 Oppsigelse", None, "|4"),
        ("Clause IV", None, "|iv"),
        ("1.3", "Annex 2", "annex 2|1"),
        (None, None, "|block 7"),
    ],
    ids=["article", "sub-clause", "paragraph", "section-sign", "roman", "annex", "unnumbered"],
)
def test_provisions_key(section, part, key):
    sentence = Sentence("x", 0, 1, None, section, 7, part=part)
    assert provision_key(sentence) == key


@pytest.mark.parametrize(
    ("paragraphs", "limited", "limiter"),
    [
        (
            ["Article 9 Publication", "Subject to clause 12, the University may publish."],
            "|9",
            "|12",
        ),
        (
            ["Article 4 Review", "Notwithstanding Article 3, no findings may be published."],
            "|3",
            "|4",
        ),
        (
            ["Artikkel 4 Gjennomgang", "Uten hensyn til artikkel 3 kan ingenting publiseres."],
            "|3",
            "|4",
        ),
    ],
    ids=["subject-to", "notwithstanding", "nb-uten-hensyn-til"],
)
def test_provisions_references_say_which_article_limits_which(paragraphs, limited, limiter):
    provisions = analyse_provisions(_segmented(*paragraphs), load_profile().clauses)
    assert limiter in provisions.limited_by.get(limited, set())


@pytest.mark.parametrize(
    ("annex_text", "missing"),
    [
        ("Annex 1 Work plan\nYear 1: trials.", {"Annex 2"}),
        ("Annex 2 Intellectual property\n1. Each Party owns its Results.", set()),
        ("APPENDIX 2\nData are stored securely.", set()),
    ],
    ids=["other-annex", "attached", "appendix-same-number"],
)
def test_provisions_missing_annex(annex_text, missing):
    segmented = _segmented(
        "Article 5 Intellectual property",
        "Intellectual property rights are governed by Annex 2.",
        annex_text,
    )
    provisions = analyse_provisions(segmented, load_profile().clauses)
    assert set(provisions.missing_annex.values()) == missing


def test_provisions_annex_named_by_segmentation_part_counts_as_attached():
    import dataclasses

    segmented = _segmented("Article 5", "Data are governed by Vedlegg 2.", "Dataene lagres.")
    segmented.sentences[-1] = dataclasses.replace(segmented.sentences[-1], part="Vedlegg 2")
    provisions = analyse_provisions(segmented, load_profile().clauses)
    assert provisions.missing_annex == {}


def _write_spec(tmp_path: Path, edit) -> Path:
    text = (patterns_dir() / "provisions.yaml").read_text(encoding="utf-8")
    path = tmp_path / "provisions.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("recital:", "recitals:", 1), "unknown key"),
        (lambda t: t.replace("  overrides:", "  override:", 1), "references needs exactly"),
        (lambda t: t.replace("{concern} ({where})", "{annexe} ({where})", 1), "placeholder"),
        (lambda t: t.replace("  words: [annex", '  words: ["", annex', 1), "list of words"),
    ],
    ids=["unknown-key", "reference-keys", "bad-placeholder", "empty-word"],
)
def test_provisions_spec_is_validated_on_load(tmp_path, edit, message):
    with pytest.raises(PatternError, match=message):
        parse_provision_spec(_write_spec(tmp_path, edit))


def test_provisions_shipped_spec_loads():
    spec = parse_provision_spec(patterns_dir() / "provisions.yaml")
    assert spec.limited_by.search("Subject to Article 12, the Parties")
    assert spec.overrides.search("notwithstanding clause 3.1")
    assert not spec.overrides.search("notwithstanding the above")


@pytest.mark.parametrize(
    ("lang", "body", "annex"),
    [
        (
            "en",
            "Intellectual property rights and the management of research data are governed by "
            "Annex 2.",
            "Annex 2 Intellectual property and data\n1. Each Party retains its Background, and "
            "Results belong to the Party that generated them.\n2. Research data shall be stored "
            "on secure servers and deleted five years after the end of the project.",
        ),
        (
            "nb",
            "Immaterielle rettigheter og håndtering av forskningsdata reguleres i vedlegg 2.",
            "Vedlegg 2 Immaterielle rettigheter og data\n1. Hver part beholder sin bakgrunn, og "
            "resultater eies av den parten som har frambrakt dem.\n2. Forskningsdata lagres "
            "sikkert og slettes fem år etter prosjektets slutt.",
        ),
    ],
    ids=["en", "nb"],
)
def test_provisions_clause_deferred_to_a_missing_annex_is_partial_with_a_warning(
    analyser_default, lang, body, annex
):
    """Same main text: with Annex 2 attached the clauses are there; without it they are at
    most partial, and the report names the missing annex."""
    heading = "Article 5 IPR and data" if lang == "en" else "Artikkel 5 Rettigheter og data"

    def report(*extra):
        text, blocks = join_blocks(
            [(p, 1, "paragraph", None, None) for p in (heading, body, *extra)]
        )
        doc = Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks)
        return analyser_default.analyse_document(doc)

    attached, missing = report(annex), report()
    statuses = {c.id: c.status for c in missing.clauses}
    assert statuses["ipr"] == "partial" and statuses["data_management"] == "partial"
    assert {c.id: c.status for c in attached.clauses}["ipr"] == "present"
    annex_word = "Annex 2" if lang == "en" else "vedlegg 2"
    assert any(annex_word in w for w in missing.warnings), missing.warnings
    assert not any(annex_word in w for w in attached.warnings)
    ipr = next(c for c in missing.clauses if c.id == "ipr")
    assert "annex_not_attached" in {c.id for c in ipr.concerns}
