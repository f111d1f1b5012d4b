"""Status logic: core vs partial, concerns, negation, headings, suggestions."""

from __future__ import annotations

import pytest

from analyser.document import Document, join_blocks
from analyser.report import Report

FILLER = {
    "en": "This Memorandum of Understanding is concluded between the University of Nordvik and "
    "the Institute of Southport.",
    "nb": "Denne intensjonsavtalen er inngått mellom Universitetet i Nordvik og Sørhavn institutt.",
}


def analyse(analyser, *paragraphs: str | tuple[str, str], lang: str = "en") -> Report:
    parts = [(FILLER[lang], 1, "paragraph", None, None)]
    for p in paragraphs:
        text, kind = (p, "paragraph") if isinstance(p, str) else p
        parts.append((text, 1, kind, None, None))
    text, blocks = join_blocks(parts)
    return analyser.analyse_document(Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks))


def clause(report: Report, clause_id: str):
    return next(c for c in report.clauses if c.id == clause_id)


@pytest.mark.parametrize(
    ("text", "clause_id", "concern"),
    [
        (
            "Any publication of results requires the prior written approval of Party B.",
            "academic_freedom",
            "prior_approval_or_veto",
        ),
        (
            "No Party shall be obliged to respect academic freedom in the joint activities.",
            "academic_freedom",
            None,
        ),
        (
            "Neither Party may terminate this Agreement before 31 December 2030.",
            "exit_strategy",
            "no_termination_right",
        ),
    ],
    ids=["prior-approval", "negated-freedom", "no-termination"],
)
def test_detect_contradicted_clause_is_never_present(analyser_default, text, clause_id, concern):
    result = clause(analyse(analyser_default, text), clause_id)
    assert result.status != "present"
    assert result.concerns, "the weakening language must be reported as a concern"
    if concern:  # the dedicated concern, or the rule's own negation
        assert {concern, "negated"} & {c.id for c in result.concerns}
    assert any(text in ev.text for c in result.concerns for ev in c.evidence)


def test_detect_core_element_makes_present(analyser_default) -> None:
    report = analyse(
        analyser_default,
        "Either Party may terminate this Agreement with immediate effect if the other Party "
        "materially breaches its obligations, including the principles in Article 2.",
    )
    exit_clause = clause(report, "exit_strategy")
    assert exit_clause.status == "present"
    assert exit_clause.confidence >= 0.7
    assert exit_clause.suggestion is None
    found = {e.id for e in exit_clause.elements if e.found}
    assert "breach_trigger" in found
    assert exit_clause.evidence[0].text.startswith("Either Party may terminate")


def test_detect_notice_only_termination_is_partial(analyser_default) -> None:
    report = analyse(
        analyser_default,
        "Either Party may terminate this Agreement by giving six months' written notice.",
    )
    assert clause(report, "exit_strategy").status == "partial"


def test_detect_ipr_deferred_is_partial_even_with_ownership_words(analyser_default) -> None:
    report = analyse(
        analyser_default,
        "Ownership of intellectual property arising from joint activities falls outside the "
        "scope of this MoU and shall be regulated in a separate agreement.",
    )
    assert clause(report, "ipr").status == "partial"


def test_detect_heading_alone_is_not_present(analyser_default) -> None:
    report = analyse(
        analyser_default,
        ("Article 7 – Academic freedom", "heading"),
        "The Parties shall meet once a year.",
    )
    assert clause(report, "academic_freedom").status != "present"


def test_detect_missing_clause_has_no_evidence_and_a_suggestion(analyser_default) -> None:
    report = analyse(analyser_default, "The Parties shall meet once a year to review progress.")
    for result in report.clauses:
        assert result.status == "missing", result.id
        assert result.evidence == []
        assert result.suggestion
        assert result.confidence > 0.5


def test_detect_norwegian_document_gets_norwegian_titles_and_wording(analyser_default) -> None:
    report = analyse(analyser_default, "Partene skal møtes én gang i året.", lang="nb")
    assert report.document.language == "nb"
    exit_clause = clause(report, "exit_strategy")
    assert exit_clause.title == "Exitstrategi"
    assert "si opp" in exit_clause.suggestion or "sies opp" in exit_clause.suggestion


def test_detect_rules_only_mode(tmp_path) -> None:
    from analyser.pipeline import Analyser

    rules_only = Analyser.for_profile(None, use_model=False)
    report = analyse(
        rules_only,
        "Either Party may terminate this Agreement if the other Party breaches it.",
    )
    assert clause(report, "exit_strategy").status == "present"
    assert report.model_version is None


def test_detect_evidence_is_ranked_best_first(analyser_default) -> None:
    report = analyse(
        analyser_default,
        "The Parties shall keep each other informed.",
        "Either Party may terminate this Agreement with immediate effect if the other Party "
        "commits a material breach.",
        "Either Party may also terminate on six months' notice.",
    )
    evidence = clause(report, "exit_strategy").evidence
    scores = [ev.score for ev in evidence]
    assert scores == sorted(scores, reverse=True)
    assert "breach" in evidence[0].text
