"""The six clauses' rule patterns (clause_patterns/clauses/*.yaml) on sentences written for them.

Rules are what lets a report quote the sentence that fulfils a clause, so each clause is tried
with: positives per element in English, bokmål and some nynorsk, checking whether the sentence
counts as core evidence; hard negatives that share the clause's words but not its duty; and
contradicting wording that must raise a concern (or a negated hit) rather than core evidence.
"Core evidence" follows analyser/detect.py: a core element's un-negated hit in a sentence that
carries no concern, no negated hit and no capping (caps_at_partial) element of the same clause.

The validator is tried with malformed clause files: each must raise PatternError naming the
file and the line, because a silently weakened rule would hide clauses from the advisers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from analyser.errors import PatternError
from analyser.language import pipeline_language
from analyser.patterns import CLAUSE_IDS, ClauseSpec, load_builtin_clauses, load_clause_file
from analyser.rules import ClauseMatcher, RuleHit
from analyser.segment import sentence_pipeline


@dataclass(frozen=True)
class Positive:
    """A sentence that must fire ``element``; ``core`` says whether it is core evidence."""

    clause: str
    id: str
    lang: str
    text: str
    element: str
    core: bool


@dataclass(frozen=True)
class Contradiction:
    """Wording that weakens the clause: ``concern`` fires (or, if None, a negated hit)."""

    clause: str
    id: str
    lang: str
    text: str
    concern: str | None


@dataclass(frozen=True)
class Negative:
    """Shares the clause's words but not its duty."""

    clause: str
    id: str
    lang: str
    text: str


@dataclass(frozen=True)
class Judged:
    """What the clause's rules make of one sentence."""

    elements: frozenset[str]  # un-negated element hits
    concerns: frozenset[str]  # concern hits, plus "negated" for a negated element hit
    core_evidence: bool


@pytest.fixture(scope="module")
def specs() -> dict[str, ClauseSpec]:
    return load_builtin_clauses()


@pytest.fixture(scope="module")
def matchers(specs: dict[str, ClauseSpec]) -> dict[str, ClauseMatcher]:
    return {lang: ClauseMatcher(list(specs.values()), lang) for lang in ("en", "nb")}


def judge(spec: ClauseSpec, hits: list[RuleHit], sentence: int = 0) -> Judged:
    """One sentence's hits for one clause, read the way detect.judge_clause reads them."""
    mine = [h for h in hits if h.clause == spec.id and h.sentence == sentence]
    core_ids = {e.id for e in spec.elements if e.core}
    capping = {e.id for e in spec.elements if e.caps_at_partial}
    elements = frozenset(h.target for h in mine if not h.is_concern and not h.negated)
    concerns = frozenset(
        h.target if h.is_concern else "negated" for h in mine if h.is_concern or h.negated
    )
    core = bool(elements & core_ids) and not concerns and not (elements & capping)
    return Judged(elements, concerns, core)


def run(
    matchers: dict[str, ClauseMatcher],
    specs: dict[str, ClauseSpec],
    clause: str,
    lang: str,
    text: str,
) -> Judged:
    # Nynorsk texts are matched with the bokmål patterns, as segment() does.
    return judge(specs[clause], matchers[pipeline_language(lang)].match([text]))


# --------------------------------------------------------------------------------------------
# Positives: each element in English, bokmål and nynorsk; core or not
# --------------------------------------------------------------------------------------------

POSITIVES: list[Positive] = [
    # fundamental_values
    Positive(
        "fundamental_values",
        "en-human-rights",
        "en",
        "The Parties shall respect fundamental values and internationally recognised human rights.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "en-integrity-code",
        "en",
        "All activities shall be carried out in accordance with the European Code of Conduct "
        "for Research Integrity.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "en-rule-of-law",
        "en",
        "The cooperation shall respect democratic principles and the rule of law.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "en-ethical-standards",
        "en",
        "Each Party shall uphold the highest ethical standards in research.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "en-no-discrimination",
        "en",
        "No Party shall discriminate against students or staff on grounds of gender, "
        "ethnicity or religion.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "en-misconduct",
        "en",
        "The Parties undertake to prevent research misconduct, including fabrication, "
        "falsification and plagiarism.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "en-ethics-approval-only",
        "en",
        "Each Party shall obtain ethics approval before research involving human participants "
        "begins.",
        "ethics_item",
        False,
    ),
    Positive(
        "fundamental_values",
        "en-informed-consent-only",
        "en",
        "Informed consent shall be obtained from all participants.",
        "ethics_item",
        False,
    ),
    Positive(
        "fundamental_values",
        "nb-verdier",
        "nb",
        "Partene skal respektere grunnleggende verdier og menneskerettighetene.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "nb-forskningsetikk",
        "nb",
        "Samarbeidet skal følge de forskningsetiske retningslinjene og god vitenskapelig praksis.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "nb-diskriminering",
        "nb",
        "Ingen av partene skal diskriminere studenter eller ansatte på grunn av kjønn eller "
        "religion.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "nb-rek-only",
        "nb",
        "Forskningen skal være godkjent av REK før den starter.",
        "ethics_item",
        False,
    ),
    Positive(
        "fundamental_values",
        "nn-verdiar",
        "nn",
        "Partane skal respektere grunnleggjande verdiar og menneskerettane.",
        "values_commitment",
        True,
    ),
    Positive(
        "fundamental_values",
        "nn-vitskapleg-praksis",
        "nn",
        "Forskinga skal følgje god vitskapleg praksis og forskingsetiske retningslinjer.",
        "values_commitment",
        True,
    ),
    # academic_freedom
    Positive(
        "academic_freedom",
        "en-freedom-autonomy",
        "en",
        "The Parties recognise and shall respect academic freedom and institutional autonomy.",
        "freedom_affirmed",
        True,
    ),
    Positive(
        "academic_freedom",
        "en-freedom-of-research",
        "en",
        "Researchers shall enjoy freedom of research in choosing their subjects and methods.",
        "freedom_affirmed",
        True,
    ),
    Positive(
        "academic_freedom",
        "en-remain-free",
        "en",
        "Each Party shall remain free to publish the results of the joint research.",
        "publication_right",
        True,
    ),
    Positive(
        "academic_freedom",
        "en-nothing-prevents",
        "en",
        "Nothing in this Agreement shall prevent a Party from publishing its research results.",
        "publication_right",
        True,
    ),
    Positive(
        "academic_freedom",
        "en-right-to-publish",
        "en",
        "Researchers have the right to publish the findings of the project.",
        "publication_right",
        True,
    ),
    Positive(
        "academic_freedom",
        "en-no-prior-approval",
        "en",
        "No Party may require prior approval of the publication of research results.",
        "publication_allowed",
        False,
    ),
    Positive(
        "academic_freedom",
        "en-publish-in-journals",
        "en",
        "The Parties shall publish the results of the joint research in scientific journals.",
        "publication_allowed",
        False,
    ),
    Positive(
        "academic_freedom",
        "nb-akademisk-frihet",
        "nb",
        "Partene skal respektere akademisk frihet og institusjonell autonomi.",
        "freedom_affirmed",
        True,
    ),
    Positive(
        "academic_freedom",
        "nb-star-fritt",
        "nb",
        "Forskerne står fritt til å publisere resultatene av samarbeidet.",
        "publication_right",
        True,
    ),
    Positive(
        "academic_freedom",
        "nb-ingenting-hindrer",
        "nb",
        "Ingenting i denne avtalen skal være til hinder for at en part publiserer sine resultater.",
        "publication_right",
        True,
    ),
    Positive(
        "academic_freedom",
        "nb-tidsskrifter",
        "nb",
        "Resultatene skal publiseres i internasjonale tidsskrifter.",
        "publication_allowed",
        False,
    ),
    Positive(
        "academic_freedom",
        "nn-akademisk-fridom",
        "nn",
        "Partane skal respektere akademisk fridom.",
        "freedom_affirmed",
        True,
    ),
    Positive(
        "academic_freedom",
        "nn-rett-til-publisera",
        "nn",
        "Forskarane har rett til å publisera resultata frå prosjektet.",
        "publication_right",
        True,
    ),
    # reciprocity
    Positive(
        "reciprocity",
        "en-reciprocity-benefit",
        "en",
        "The cooperation shall be based on reciprocity and mutual benefit.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "en-equal-footing",
        "en",
        "The Parties shall cooperate on an equal footing.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "en-balanced-exchange",
        "en",
        "The exchange of students shall be balanced over the term of this Agreement.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "en-royalty-free-access",
        "en",
        "Each Party grants the other Party royalty-free access to its Background and Results.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "en-equal-rights",
        "en",
        "The Parties shall have equal rights and obligations under this Agreement.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "en-own-costs",
        "en",
        "Each Party shall bear its own costs arising from this Agreement.",
        "mutual_wording",
        False,
    ),
    Positive(
        "reciprocity",
        "en-mutual-cooperation",
        "en",
        "The Parties shall encourage mutual cooperation in teaching and research.",
        "mutual_wording",
        False,
    ),
    Positive(
        "reciprocity",
        "nb-gjensidighet",
        "nb",
        "Samarbeidet skal bygge på gjensidighet og likeverd.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "nb-balansert",
        "nb",
        "Utvekslingen av studenter skal være balansert over avtaleperioden.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "nb-vederlagsfri-tilgang",
        "nb",
        "Hver part gir den andre parten vederlagsfri tilgang til sine resultater.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "nb-egne-kostnader",
        "nb",
        "Hver part dekker sine egne kostnader.",
        "mutual_wording",
        False,
    ),
    Positive(
        "reciprocity",
        "nn-gjensidigheit",
        "nn",
        "Samarbeidet skal byggje på gjensidigheit og likeverd.",
        "reciprocity_explicit",
        True,
    ),
    Positive(
        "reciprocity",
        "nn-eigne-kostnader",
        "nn",
        "Kvar part dekkjer sine eigne kostnader.",
        "mutual_wording",
        False,
    ),
    # ipr
    Positive(
        "ipr",
        "en-background-ownership",
        "en",
        "Each Party retains ownership of the background it brings to the cooperation.",
        "ownership",
        True,
    ),
    Positive(
        "ipr",
        "en-joint-ownership",
        "en",
        "Results generated jointly shall be jointly owned by the Parties in proportion to their "
        "contributions.",
        "ownership",
        True,
    ),
    Positive(
        "ipr",
        "en-ip-belongs",
        "en",
        "Intellectual property rights arising from the joint research shall belong to the Party "
        "that generated them.",
        "ownership",
        True,
    ),
    Positive(
        "ipr",
        "en-licence",
        "en",
        "Each Party grants the other Party a non-exclusive, royalty-free licence to use its "
        "Results for research and teaching.",
        "licences_access",
        True,
    ),
    Positive(
        "ipr",
        "en-access-rights",
        "en",
        "The Parties shall grant each other access rights to background needed to carry out the "
        "project.",
        "licences_access",
        True,
    ),
    Positive(
        "ipr",
        "en-spin-off",
        "en",
        "The creation of spin-off companies based on the results requires the agreement of both "
        "Parties.",
        "valorisation",
        True,
    ),
    Positive(
        "ipr",
        "en-separate-agreement",
        "en",
        "Intellectual property rights shall be regulated in a separate agreement.",
        "deferred_or_bare",
        False,
    ),
    Positive(
        "ipr",
        "en-no-licence",
        "en",
        "Nothing in this Agreement shall be construed as granting any licence to the other Party.",
        "deferred_or_bare",
        False,
    ),
    Positive(
        "ipr",
        "en-attribution",
        "en",
        "Authors shall acknowledge the source of the data in all publications.",
        "attribution_only",
        False,
    ),
    Positive(
        "ipr",
        "nb-eiendomsrett",
        "nb",
        "Hver part beholder eiendomsretten til den bakgrunnskunnskapen den bringer inn.",
        "ownership",
        True,
    ),
    Positive(
        "ipr",
        "nb-tilhorer",
        "nb",
        "Immaterielle rettigheter til resultatene tilhører den parten som har frambrakt dem.",
        "ownership",
        True,
    ),
    Positive(
        "ipr",
        "nb-lisens",
        "nb",
        "Hver part gir den andre parten en ikke-eksklusiv, vederlagsfri lisens til å bruke "
        "resultatene.",
        "licences_access",
        True,
    ),
    Positive(
        "ipr",
        "nb-utnyttelse",
        "nb",
        "Kommersiell utnyttelse av resultatene krever skriftlig avtale mellom partene.",
        "valorisation",
        True,
    ),
    Positive(
        "ipr",
        "nb-egen-avtale",
        "nb",
        "Immaterielle rettigheter skal reguleres i en egen avtale.",
        "deferred_or_bare",
        False,
    ),
    Positive(
        "ipr",
        "nn-tilhoyrer",
        "nn",
        "Immaterielle rettar til resultata tilhøyrer den parten som har skapt dei.",
        "ownership",
        True,
    ),
    # data_management
    Positive(
        "data_management",
        "en-gdpr",
        "en",
        "Personal data shall be processed in accordance with the General Data Protection "
        "Regulation.",
        "personal_data",
        True,
    ),
    Positive(
        "data_management",
        "en-processing-agreement",
        "en",
        "The Parties shall conclude a data processing agreement before any personal data are "
        "exchanged.",
        "personal_data",
        True,
    ),
    Positive(
        "data_management",
        "en-secure-storage",
        "en",
        "Research data shall be stored on secure servers with access control.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "en-return-delete",
        "en",
        "On termination each Party shall return or securely delete the other Party's data.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "en-dmp-fair",
        "en",
        "The Parties shall agree on a data management plan following the FAIR principles.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "en-transfer-with-safeguards",
        "en",
        "Data will be transferred to countries outside the EEA only with appropriate safeguards "
        "under the GDPR.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "en-confidential-only",
        "en",
        "Each Party shall keep confidential all information received from the other Party.",
        "confidentiality",
        False,
    ),
    Positive(
        "data_management",
        "nb-personvernforordningen",
        "nb",
        "Personopplysninger skal behandles i samsvar med personvernforordningen.",
        "personal_data",
        True,
    ),
    Positive(
        "data_management",
        "nb-lagres-slettes",
        "nb",
        "Forskningsdata skal lagres sikkert og slettes når prosjektet er avsluttet.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "nb-dmp",
        "nb",
        "Partene skal utarbeide en datahåndteringsplan i tråd med FAIR-prinsippene.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "nb-konfidensielt-only",
        "nb",
        "Hver part skal behandle informasjon fra den andre parten konfidensielt.",
        "confidentiality",
        False,
    ),
    Positive(
        "data_management",
        "nn-lagrast-slettast",
        "nn",
        "Forskingsdata skal lagrast trygt og slettast når prosjektet er avslutta.",
        "data_handling",
        True,
    ),
    Positive(
        "data_management",
        "nn-personopplysningar",
        "nn",
        "Personopplysningar skal behandlast i samsvar med personvernforordninga.",
        "personal_data",
        True,
    ),
    # exit_strategy
    Positive(
        "exit_strategy",
        "en-material-breach",
        "en",
        "Either Party may terminate this Agreement with immediate effect if the other Party "
        "materially breaches it.",
        "breach_trigger",
        True,
    ),
    Positive(
        "exit_strategy",
        "en-suspend-violation",
        "en",
        "Either Party may suspend the cooperation if the other Party violates the principles of "
        "academic freedom.",
        "breach_trigger",
        True,
    ),
    Positive(
        "exit_strategy",
        "en-fails-to-comply",
        "en",
        "Either Party may terminate this Agreement if the other Party fails to comply with its "
        "obligations.",
        "breach_trigger",
        True,
    ),
    Positive(
        "exit_strategy",
        "en-notice-only",
        "en",
        "Either Party may terminate this Agreement by giving six months' written notice.",
        "notice_period",
        False,
    ),
    Positive(
        "exit_strategy",
        "en-withdraw-only",
        "en",
        "Either Party may withdraw from this Agreement by written notice to the other Party.",
        "termination_right",
        False,
    ),
    Positive(
        "exit_strategy",
        "en-students-complete",
        "en",
        "Upon termination, students already admitted shall be allowed to complete their study "
        "period.",
        "consequences",
        False,
    ),
    Positive(
        "exit_strategy",
        "nb-mislighold",
        "nb",
        "Hver av partene kan si opp avtalen med umiddelbar virkning dersom den andre parten "
        "vesentlig misligholder avtalen.",
        "breach_trigger",
        True,
    ),
    Positive(
        "exit_strategy",
        "nb-tre-ut-brudd",
        "nb",
        "Partene kan tre ut av samarbeidet ved brudd på avtalen.",
        "breach_trigger",
        True,
    ),
    Positive(
        "exit_strategy",
        "nb-varsel-only",
        "nb",
        "Avtalen kan sies opp med seks måneders skriftlig varsel.",
        "notice_period",
        False,
    ),
    Positive(
        "exit_strategy",
        "nb-studenter-fullfore",
        "nb",
        "Ved opphør skal studenter som allerede er tatt opp, kunne fullføre studieoppholdet.",
        "consequences",
        False,
    ),
    Positive(
        "exit_strategy",
        "nn-seie-opp-varsel",
        "nn",
        "Kvar av partane kan seie opp avtalen med seks månaders skriftleg varsel.",
        "notice_period",
        False,
    ),
    Positive(
        "exit_strategy",
        "nn-seiast-opp-brot",
        "nn",
        "Avtalen kan seiast opp med straks verknad dersom den andre parten bryt avtalen vesentleg.",
        "breach_trigger",
        True,
    ),
]


@pytest.mark.parametrize("case", POSITIVES, ids=[f"{p.clause}-{p.id}" for p in POSITIVES])
def test_positive_fires_element(
    matchers: dict[str, ClauseMatcher], specs: dict[str, ClauseSpec], case: Positive
) -> None:
    judged = run(matchers, specs, case.clause, case.lang, case.text)
    assert case.element in judged.elements, judged
    assert judged.core_evidence is case.core, judged
    assert not judged.concerns, judged


# --------------------------------------------------------------------------------------------
# Hard negatives: share a clause's words, not its duty. No element or concern of it may fire.
# --------------------------------------------------------------------------------------------

SHARED_NEGATIVES: list[tuple[str, str, str]] = [
    ("en-annex-shows", "en", "The data in Annex 2 shows enrolment figures."),
    (
        "en-terminates-automatically",
        "en",
        "This Agreement terminates automatically on 31 December 2027.",
    ),
    (
        "en-mutual-understanding",
        "en",
        "The Parties shall promote mutual understanding between our peoples.",
    ),
    (
        "en-academic-calendar",
        "en",
        "The academic calendar of each institution applies to exchange students.",
    ),
    ("en-applicable-law", "en", "The Parties shall comply with applicable law."),
    ("en-peaceful", "en", "The cooperation shall be for peaceful purposes only."),
    ("en-call", "en", "Professor X will publish the call for applications."),
    (
        "en-date-of-signature",
        "en",
        "This Agreement shall enter into force on the date of signature.",
    ),
    ("nb-vedlegg-viser", "nb", "Vedlegg 2 viser tall for opptak av studenter."),
    ("nb-opphorer-automatisk", "nb", "Avtalen opphører automatisk 31. desember 2027."),
    ("nb-gjensidig-forstaelse", "nb", "Partene skal fremme gjensidig forståelse mellom våre folk."),
    ("nb-lover-og-regler", "nb", "Partene skal følge gjeldende lover og regler."),
    ("nb-fredelige", "nb", "Samarbeidet skal bare tjene fredelige formål."),
    ("nb-utlysning", "nb", "Professor X vil publisere utlysningen."),
    ("nb-signering", "nb", "Avtalen trer i kraft på datoen for signering."),
]

OWN_NEGATIVES: list[Negative] = [
    Negative(
        "fundamental_values",
        "en-respect-good-faith",
        "en",
        "The Parties shall treat each other with respect and good faith.",
    ),
    Negative(
        "fundamental_values",
        "en-not-military",
        "en",
        "The results shall not be used for military purposes.",
    ),
    Negative(
        "academic_freedom",
        "en-already-published",
        "en",
        "Information that is already published or in the public domain is not confidential.",
    ),
    Negative(
        "academic_freedom",
        "en-publicity",
        "en",
        "Neither Party shall use the name of the other in any advertising or publicity without "
        "prior written approval.",
    ),
    Negative(
        "academic_freedom",
        "nb-akademisk-kalender",
        "nb",
        "Studentene følger den akademiske kalenderen ved vertsinstitusjonen.",
    ),
    Negative(
        "reciprocity",
        "en-amended-by-mutual-agreement",
        "en",
        "This Agreement may be amended by mutual agreement of the Parties.",
    ),
    Negative(
        "reciprocity",
        "en-entire-agreement",
        "en",
        "This Agreement constitutes the entire agreement between the Parties.",
    ),
    Negative(
        "reciprocity",
        "nb-gjensidig-avtale",
        "nb",
        "Avtalen kan endres ved gjensidig avtale mellom partene.",
    ),
    Negative(
        "ipr",
        "en-title-to-equipment",
        "en",
        "Each Party shall retain title to the equipment it provides.",
    ),
    Negative(
        "data_management", "en-update-annually", "en", "The Parties shall update the data annually."
    ),
    Negative(
        "exit_strategy",
        "en-expire",
        "en",
        "This Agreement shall expire five years after the date of signature.",
    ),
    Negative(
        "exit_strategy",
        "en-project-ends",
        "en",
        "The project ends when the final report has been approved.",
    ),
]

NEGATIVES: list[Negative] = [
    Negative(clause, *row) for clause in CLAUSE_IDS for row in SHARED_NEGATIVES
] + OWN_NEGATIVES


@pytest.mark.parametrize("case", NEGATIVES, ids=[f"{n.clause}-{n.id}" for n in NEGATIVES])
def test_hard_negative_fires_nothing(
    matchers: dict[str, ClauseMatcher], specs: dict[str, ClauseSpec], case: Negative
) -> None:
    judged = run(matchers, specs, case.clause, case.lang, case.text)
    assert not judged.elements, judged
    assert not judged.concerns, judged


# --------------------------------------------------------------------------------------------
# Contradicting wording: a concern (or a negated hit) fires, and it is not core evidence.
# --------------------------------------------------------------------------------------------

CONTRADICTIONS: list[Contradiction] = [
    Contradiction(
        "fundamental_values",
        "en-not-obliged",
        "en",
        "No Party shall be obliged to respect human rights under this Agreement.",
        "values_excluded",
    ),
    Contradiction(
        "fundamental_values",
        "en-shall-not-apply",
        "en",
        "Human rights obligations shall not apply to activities carried out in the territory of "
        "Party B.",
        "values_excluded",
    ),
    Contradiction(
        "fundamental_values",
        "en-laws-prevail",
        "en",
        "The laws of Party B shall prevail over any ethical principles stated herein.",
        "values_excluded",
    ),
    Contradiction(
        "fundamental_values",
        "en-military",
        "en",
        "Results may be used for military applications.",
        "military_use",
    ),
    Contradiction(
        "fundamental_values",
        "nb-gjelder-ikke",
        "nb",
        "Menneskerettighetene gjelder ikke for aktiviteter i partnerlandet.",
        "values_excluded",
    ),
    Contradiction(
        "fundamental_values",
        "nb-ikke-forpliktet",
        "nb",
        "Ingen av partene er forpliktet til å respektere menneskerettigheter.",
        "values_excluded",
    ),
    Contradiction(
        "fundamental_values",
        "nb-militaere",
        "nb",
        "Resultatene kan brukes til militære formål.",
        "military_use",
    ),
    Contradiction(
        "academic_freedom",
        "en-not-obliged",
        "en",
        "No Party shall be obliged to respect academic freedom.",
        "freedom_excluded",
    ),
    Contradiction(
        "academic_freedom",
        "en-shall-not-apply",
        "en",
        "Academic freedom shall not apply to research carried out under this Agreement.",
        "freedom_excluded",
    ),
    Contradiction(
        "academic_freedom",
        "en-prior-written-approval",
        "en",
        "Publication requires the prior written approval of Party B.",
        "prior_approval_or_veto",
    ),
    Contradiction(
        "academic_freedom",
        "en-publish-without-approval",
        "en",
        "Neither Party shall publish results without the prior written approval of the other "
        "Party.",
        "prior_approval_or_veto",
    ),
    Contradiction(
        "academic_freedom",
        "en-veto",
        "en",
        "Party B may veto any publication of the results.",
        "prior_approval_or_veto",
    ),
    Contradiction(
        "academic_freedom",
        "en-right-but-consent",
        "en",
        "Researchers shall not have the right to publish results without the consent of the "
        "sponsor.",
        "prior_approval_or_veto",
    ),
    Contradiction(
        "academic_freedom",
        "en-delay",
        "en",
        "Party B may delay publication of the results by up to twelve months.",
        "publication_delay",
    ),
    Contradiction(
        "academic_freedom",
        "en-no-right",
        "en",
        "Researchers have no right to publish the results.",
        None,
    ),
    Contradiction(
        "academic_freedom",
        "nb-forhandsgodkjenning",
        "nb",
        "Publisering krever forhåndsgodkjenning fra Part B.",
        "prior_approval_or_veto",
    ),
    Contradiction(
        "academic_freedom",
        "nb-ikke-forpliktet",
        "nb",
        "Ingen av partene er forpliktet til å respektere akademisk frihet.",
        "freedom_excluded",
    ),
    Contradiction(
        "academic_freedom",
        "nb-ikke-rett",
        "nb",
        "Forskerne har ikke rett til å publisere resultatene.",
        None,
    ),
    Contradiction(
        "reciprocity",
        "en-bear-all-costs",
        "en",
        "Party A shall bear all costs of the exchange.",
        "one_sided",
    ),
    Contradiction(
        "reciprocity",
        "en-sole-discretion",
        "en",
        "Party B may decide on the admission of students at its sole discretion.",
        "one_sided",
    ),
    Contradiction(
        "reciprocity",
        "en-not-reciprocal",
        "en",
        "The cooperation shall not be based on reciprocity.",
        None,
    ),
    Contradiction(
        "reciprocity",
        "nb-alle-kostnader",
        "nb",
        "Part A skal bære alle kostnader ved utvekslingen.",
        "one_sided",
    ),
    Contradiction(
        "reciprocity",
        "nb-eget-skjonn",
        "nb",
        "Part B avgjør opptak etter eget skjønn.",
        "one_sided",
    ),
    Contradiction(
        "ipr",
        "en-assigned-exclusively",
        "en",
        "All results shall be assigned exclusively to the Partner.",
        "all_to_one_party",
    ),
    Contradiction(
        "ipr",
        "en-sole-property",
        "en",
        "All intellectual property arising from the project shall be the sole property of Party B.",
        "all_to_one_party",
    ),
    Contradiction(
        "ipr",
        "en-government-licence",
        "en",
        "Party B may grant licences to the results to its government and affiliates.",
        "licence_to_government_or_affiliates",
    ),
    Contradiction(
        "ipr",
        "nb-tilfaller-alene",
        "nb",
        "Alle resultater tilfaller alene Part B.",
        "all_to_one_party",
    ),
    Contradiction(
        "ipr",
        "nb-myndigheter",
        "nb",
        "Part B kan gi lisens til resultatene til sine myndigheter.",
        "licence_to_government_or_affiliates",
    ),
    Contradiction(
        "data_management",
        "en-partner-country",
        "en",
        "Data may be transferred to the Partner's country without restriction.",
        "transfer_abroad_unprotected",
    ),
    Contradiction(
        "data_management",
        "en-third-country",
        "en",
        "Samples may be exported to a third country.",
        "transfer_abroad_unprotected",
    ),
    Contradiction(
        "data_management",
        "en-any-purpose",
        "en",
        "Party B may use the data for any purpose.",
        "unrestricted_access_or_use",
    ),
    Contradiction(
        "data_management",
        "nb-utlandet",
        "nb",
        "Data kan overføres til utlandet.",
        "transfer_abroad_unprotected",
    ),
    Contradiction(
        "data_management",
        "nb-partnerens-land",
        "nb",
        "Data kan overføres til partnerens land uten begrensninger.",
        "transfer_abroad_unprotected",
    ),
    Contradiction(
        "data_management",
        "nb-ethvert-formal",
        "nb",
        "Part B kan bruke dataene til ethvert formål.",
        "unrestricted_access_or_use",
    ),
    Contradiction(
        "exit_strategy",
        "en-neither-may-terminate",
        "en",
        "Neither Party may terminate this Agreement before 2030.",
        None,
    ),
    Contradiction(
        "exit_strategy",
        "en-irrevocable",
        "en",
        "This Agreement is irrevocable.",
        "no_termination_right",
    ),
    Contradiction(
        "exit_strategy",
        "en-may-not-be-terminated",
        "en",
        "This Agreement may not be terminated during its first five years.",
        "no_termination_right",
    ),
    Contradiction(
        "exit_strategy",
        "nb-kan-ikke-sies-opp",
        "nb",
        "Avtalen kan ikke sies opp før 2030.",
        "no_termination_right",
    ),
    Contradiction(
        "exit_strategy", "nb-uoppsigelig", "nb", "Avtalen er uoppsigelig.", "no_termination_right"
    ),
    Contradiction(
        "exit_strategy",
        "nb-ingen-kan-si-opp",
        "nb",
        "Ingen av partene kan si opp avtalen før 2030.",
        None,
    ),
]


@pytest.mark.parametrize("case", CONTRADICTIONS, ids=[f"{k.clause}-{k.id}" for k in CONTRADICTIONS])
def test_contradiction_is_a_concern_not_core(
    matchers: dict[str, ClauseMatcher], specs: dict[str, ClauseSpec], case: Contradiction
) -> None:
    judged = run(matchers, specs, case.clause, case.lang, case.text)
    assert (case.concern or "negated") in judged.concerns, judged
    assert not judged.core_evidence, judged


def test_every_clause_has_cases_of_each_kind() -> None:
    """A clause added without positives or contradictions here would go untested."""
    assert set(load_builtin_clauses()) == set(CLAUSE_IDS)
    for clause in CLAUSE_IDS:
        for table in (POSITIVES, OWN_NEGATIVES, CONTRADICTIONS):
            assert any(case.clause == clause for case in table), clause


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_suggested_wording_meets_its_own_clause(
    matchers: dict[str, ClauseMatcher], specs: dict[str, ClauseSpec], lang: str
) -> None:
    """The model wording the report offers must itself be core evidence for its clause."""
    nlp = sentence_pipeline(lang)
    for clause, spec in specs.items():
        sentences = [s.text for s in nlp(spec.suggestion[lang]).sents]
        hits = matchers[lang].match(sentences)
        assert any(judge(spec, hits, i).core_evidence for i in range(len(sentences))), clause


# --------------------------------------------------------------------------------------------
# The validator: malformed clause files name the file and the line.
# --------------------------------------------------------------------------------------------

VALID_CLAUSE = """\
id: demo
title:
  en: "Demo clause"
  nb: "Demoklausul"
guidance: >-
  What the clause must hold.
elements:
  - id: main
    title: {en: "Main element", nb: "Hovedelement"}
    core: true
    rules:
      - all: [[terminat*, withdraw*], [breach*]]
        lang: en
  - id: side
    rules:
      - all: [["si opp"]]
        lang: nb
suggestion:
  en: "Either Party may terminate."
  nb: "Hver part kan si opp."
"""


@dataclass(frozen=True)
class Malformed:
    """A change to VALID_CLAUSE and the line the error must name."""

    id: str
    old: str
    new: str
    line: int
    words: str  # part of the message that says what is wrong


MALFORMED = [
    Malformed(
        "missing-suggestion",
        'suggestion:\n  en: "Either Party may terminate."\n  nb: "Hver part kan si opp."\n',
        "",
        1,
        "suggestion",
    ),
    Malformed(
        "term-trailing-lone-star",
        "[terminat*, withdraw*]",
        '["terminat *", withdraw*]',
        12,
        "terminat *",
    ),
    Malformed(
        "term-leading-lone-star",
        "[terminat*, withdraw*]",
        '["* terminat", withdraw*]',
        12,
        "* terminat",
    ),
    Malformed("term-only-star", "[terminat*, withdraw*]", '["*", withdraw*]', 12, "'*'"),
    Malformed(
        "term-star-inside-word", "[terminat*, withdraw*]", "[termi*nat, withdraw*]", 12, "termi*nat"
    ),
    Malformed(
        "unknown-rule-key",
        "        lang: en\n",
        "        lang: en\n        negate: true\n",
        12,
        "negate",
    ),
    Malformed(
        "title-flow-mapping-comma",
        '{en: "Main element", nb: "Hovedelement"}',
        "{en: Main element, binding, nb: Hovedelement}",
        9,
        "binding",
    ),
    Malformed("no-core-element", "    core: true\n", "", 1, "core"),
    Malformed("bad-lang", "        lang: nb\n", "        lang: nn\n", 16, "'nn'"),
    Malformed(
        "core-caps-at-partial",
        "    core: true\n",
        "    core: true\n    caps_at_partial: true\n",
        8,
        "cap",
    ),
    Malformed("empty-group", "[breach*]", "[]", 12, "non-empty"),
    Malformed("bad-yaml", '  en: "Demo clause"\n', '  en: "Demo clause" x\n', 3, "invalid YAML"),
]


def test_valid_clause_template_loads(tmp_path: Path) -> None:
    """The malformed cases below differ from this file by one change only."""
    path = tmp_path / "demo.yaml"
    path.write_text(VALID_CLAUSE, encoding="utf-8")
    spec = load_clause_file(path)
    assert [e.id for e in spec.elements] == ["main", "side"]
    assert spec.elements[0].rules[0].groups == (("terminat*", "withdraw*"), ("breach*",))


MALFORMED_PARAMS = [
    pytest.param(m, id=m.id)
    for m in MALFORMED
]


@pytest.mark.parametrize("case", MALFORMED_PARAMS)
def test_malformed_clause_names_file_and_line(tmp_path: Path, case: Malformed) -> None:
    assert VALID_CLAUSE.count(case.old) == 1, "the case must change exactly one place"
    path = tmp_path / "demo.yaml"
    path.write_text(VALID_CLAUSE.replace(case.old, case.new), encoding="utf-8")
    with pytest.raises(PatternError) as info:
        load_clause_file(path)
    message = str(info.value)
    assert info.value.path == str(path)
    assert message.startswith(f"{path}: line {case.line}:"), message
    assert case.words in message, message
