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


# --------------------------------------------------------------------------------------------
# Issue 17: the weakest operative term of a provision decides (each case EN and NB).


@pytest.mark.parametrize(
    ("lang", "paragraphs"),
    [
        (
            "en",
            [
                "Article 5 Publications",
                "5.1 Each Party shall be free to publish the results of its research under "
                "this Agreement.",
                "5.2 Before any submission, the publishing Party shall send the manuscript to "
                "the other Party for review, and the other Party may require that publication "
                "be postponed until its interests are protected.",
            ],
        ),
        (
            "nb",
            [
                "Artikkel 4 Publisering",
                "4.1 Hver part står fritt til å publisere resultater fra samarbeidet.",
                "4.2 Før innsending skal manuskriptet sendes til den andre parten til "
                "gjennomsyn, og den andre parten kan kreve at publiseringen utsettes inntil "
                "partens interesser er ivaretatt.",
            ],
        ),
    ],
    ids=["en", "nb"],
)
def test_detect_review_in_the_next_sentence_limits_the_publication_right(
    analyser_default, lang, paragraphs
):
    result = clause(analyse(analyser_default, *paragraphs, lang=lang), "academic_freedom")
    assert result.status == "partial"
    assert result.concerns


@pytest.mark.parametrize(
    ("lang", "paragraphs"),
    [
        (
            "en",
            [
                "WHEREAS the Parties recognise that academic freedom and institutional autonomy "
                "are the foundation of excellent research;",
                "NOW THEREFORE the Parties agree as follows:",
                "Article 4 Dissemination",
                "No publication based on the joint research shall be made without the prior "
                "written approval of the Partner.",
            ],
        ),
        (
            "nb",
            [
                "Partene anerkjenner at akademisk frihet og institusjonell autonomi er "
                "grunnlaget for god forskning, og har derfor blitt enige om følgende:",
                "Artikkel 4 Formidling",
                "Ingen publikasjon basert på den felles forskningen kan offentliggjøres uten "
                "forhåndsgodkjenning fra partneren.",
            ],
        ),
    ],
    ids=["en", "nb"],
)
def test_detect_recital_does_not_outweigh_an_operative_veto(analyser_default, lang, paragraphs):
    result = clause(analyse(analyser_default, *paragraphs, lang=lang), "academic_freedom")
    assert result.status == "partial"
    assert "prior_approval_or_veto" in {c.id for c in result.concerns}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Preamble: Guided by their shared commitment to human rights and the integrity of "
            "research, the Parties have agreed as follows:",
        ),
        (
            "nb",
            "Partene bygger samarbeidet på felles respekt for menneskerettigheter og "
            "forskningsintegritet, og er derfor enige om følgende:",
        ),
    ],
    ids=["en", "nb"],
)
def test_detect_recital_alone_is_at_most_partial(analyser_default, lang, text):
    assert clause(analyse(analyser_default, text, lang=lang), "fundamental_values").status == (
        "partial"
    )


def test_detect_sentence_part_recitals_is_never_core(analyser_default):
    """Segmentation's Sentence.part ("Recitals") makes a sentence non-operative by itself."""
    import dataclasses

    from analyser.detect import detect_clauses
    from analyser.segment import segment

    text = (
        "The Parties shall respect academic freedom, human rights and research integrity in "
        "all joint activities."
    )
    report_parts = []
    for part in (None, "Recitals"):
        doc = Document(
            "t.txt", "t.txt", "0" * 64, "txt", *join_blocks([(text, 1, "paragraph", None, None)])
        )
        segmented = segment(doc)
        segmented.sentences = [dataclasses.replace(s, part=part) for s in segmented.sentences]
        results = detect_clauses(
            segmented,
            analyser_default.profile,
            analyser_default.matcher(segmented.pattern_lang),
            analyser_default.model(),
        )
        report_parts.append(next(r for r in results if r.id == "fundamental_values").status)
    assert report_parts == ["present", "partial"]


@pytest.mark.parametrize(
    ("lang", "paragraphs"),
    [
        (
            "en",
            [
                "Article 3 Academic freedom",
                "The Parties recognise academic freedom. Researchers are free to choose their "
                "methods and to publish their findings.",
                "Article 4 Sponsor review",
                "Notwithstanding Article 3, no findings may be published until the Sponsor has "
                "reviewed the manuscript and given its approval.",
            ],
        ),
        (
            "en",
            [
                "9. Publication",
                "Subject to clause 12, the University shall be free to publish the Results.",
                "12. Sponsor rights",
                "12.1 The Sponsor may require the University to delete any material from a "
                "proposed publication and may object to publication.",
            ],
        ),
        (
            "nb",
            [
                "Artikkel 3 Akademisk frihet",
                "Partene anerkjenner akademisk frihet, og forskerne står fritt til å publisere "
                "sine funn.",
                "Artikkel 4 Partnerens gjennomgang",
                "Uten hensyn til artikkel 3 kan ingen publikasjon offentliggjøres uten "
                "forhåndsgodkjenning fra partneren.",
            ],
        ),
    ],
    ids=["en-notwithstanding", "en-subject-to", "nb-uten-hensyn-til"],
)
def test_detect_a_concern_reaches_the_article_it_overrides(analyser_default, lang, paragraphs):
    result = clause(analyse(analyser_default, *paragraphs, lang=lang), "academic_freedom")
    assert result.status == "partial"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Each Party remains free to publish, notwithstanding any other provision of this "
            "Agreement; the publishing Party shall send the manuscript 30 days before "
            "submission, solely so that the other Party may identify its Confidential "
            "Information or file a patent application.",
        ),
        (
            "nb",
            "Uten hensyn til andre bestemmelser står hver part fritt til å publisere; et utkast "
            "sendes den andre parten 30 dager før innsending, bare slik at den kan identifisere "
            "sin konfidensielle informasjon eller søke patent.",
        ),
    ],
    ids=["en", "nb"],
)
def test_detect_fixed_short_notice_does_not_weaken_the_right_to_publish(
    analyser_default, lang, text
):
    result = clause(analyse(analyser_default, text, lang=lang), "academic_freedom")
    assert result.status == "present"
    assert not result.concerns


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Either Party may terminate this Agreement with immediate effect if a force majeure "
            "event prevents the other Party from performing its obligations for six months.",
        ),
        (
            "en",
            "Either Party may terminate this Agreement with immediate effect if the other Party "
            "becomes insolvent.",
        ),
        (
            "nb",
            "Hver av partene kan si opp avtalen med umiddelbar virkning dersom force majeure "
            "hindrer den andre parten i å oppfylle sine forpliktelser i seks måneder.",
        ),
    ],
    ids=["en-force-majeure", "en-insolvency", "nb-force-majeure"],
)
def test_detect_exit_on_other_grounds_than_breach_is_partial(analyser_default, lang, text):
    result = clause(analyse(analyser_default, text, lang=lang), "exit_strategy")
    assert result.status == "partial"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "This Agreement may be terminated only with the written consent of the other Party.",
        ),
        ("nb", "Avtalen kan bare sies opp med skriftlig samtykke fra den andre parten."),
    ],
    ids=["en", "nb"],
)
def test_detect_exit_only_with_consent_is_a_concern(analyser_default, lang, text):
    result = clause(analyse(analyser_default, text, lang=lang), "exit_strategy")
    assert result.status == "partial"
    assert "termination_needs_consent" in {c.id for c in result.concerns}


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "en",
            [
                "10.1 This Agreement may not be terminated before the end of the tenth year "
                "after its entry into force.",
                "10.2 Thereafter either Party may terminate it if the other Party materially "
                "breaches this Agreement.",
            ],
        ),
        (
            "nb",
            [
                "10.1 Avtalen kan ikke sies opp før utløpet av det tiende året etter "
                "ikrafttredelsen.",
                "10.2 Deretter kan hver av partene si opp avtalen ved vesentlig mislighold.",
            ],
        ),
    ],
    ids=["en", "nb"],
)
def test_detect_exit_locked_in_the_same_article_is_partial(analyser_default, lang, texts):
    paragraphs = [
        "Article 10 Term and termination" if lang == "en" else "Artikkel 10 Varighet",
        *texts,
    ]
    result = clause(analyse(analyser_default, *paragraphs, lang=lang), "exit_strategy")
    assert result.status == "partial"
    assert "no_termination_right" in {c.id for c in result.concerns}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Neither Party shall assign this Agreement, in whole or in part, including any "
            "intellectual property rights under it, without the consent of the other Party.",
        ),
        (
            "nb",
            "Ingen av partene skal overdra denne avtalen eller immaterielle rettigheter etter "
            "den uten skriftlig samtykke fra den andre parten.",
        ),
    ],
    ids=["en", "nb"],
)
def test_detect_assigning_the_agreement_is_not_ipr(analyser_default, lang, text):
    result = clause(analyse(analyser_default, text, lang=lang), "ipr")
    assert result.status == "missing"
    assert not result.concerns


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "See the information section for contact details of the coordinators."),
        ("nb", "Se informasjonsdelen for kontaktopplysninger til koordinatorene."),
    ],
    ids=["en", "nb"],
)
def test_detect_contact_boilerplate_is_not_data_management(analyser_default, lang, text):
    assert clause(analyse(analyser_default, text, lang=lang), "data_management").status == (
        "missing"
    )


def test_detect_data_terms_deferred_to_a_later_agreement_are_partial(analyser_default):
    text = (
        "The terms governing research data, including any personal data, will be agreed in a "
        "separate data-sharing agreement before any data is exchanged."
    )
    assert clause(analyse(analyser_default, text), "data_management").status == "partial"


# Issue 13.4: a heading is not a clause.
@pytest.mark.parametrize(
    ("lang", "paragraphs"),
    [
        ("en", ["Article 13 – Academic freedom [intentionally left blank]."]),
        ("en", ["Article 13 – Academic freedom", "[Intentionally left blank]"]),
        ("nb", ["Artikkel 13 – Akademisk frihet [denne artikkelen er med vilje tom]."]),
    ],
    ids=["en-one-line", "en-body-blank", "nb"],
)
def test_detect_article_left_blank_is_no_clause(analyser_default, lang, paragraphs):
    result = clause(analyse(analyser_default, *paragraphs, lang=lang), "academic_freedom")
    assert result.status != "present"


def test_detect_definition_alone_is_no_evidence(analyser_default):
    text = (
        '"Academic Freedom" means the freedom of researchers to choose their subjects and to '
        "publish."
    )
    assert clause(analyse(analyser_default, text), "academic_freedom").status == "missing"
