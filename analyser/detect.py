"""Judge each required clause present / partial / missing from rules and the classifier.

The guidance defines a clause by what it must hold, so status follows the clause's core:
"present" needs core-strength evidence, "partial" any evidence of the clause, and evidence
that a concern contradicts (prior approval of publications, no right to terminate) can make
a clause at most partial. Rules and the model are combined per sentence as a noisy-OR, so
either can find a clause the other misses, and agreement raises the score.

Like an adviser, the judgement reads provisions, not sentences (analyser/provisions.py): a
concern weakens every sentence of its article and of the articles it overrides; recitals,
titles and text deferred to a missing annex are never core; definitions, articles left blank
and a clause's own ``not_evidence`` wording are no evidence at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analyser.block_language import match_by_language
from analyser.classifier import ClauseClassifier
from analyser.features import rule_matrix
from analyser.patterns import ClauseSpec
from analyser.profiles import Profile
from analyser.provisions import (
    Provisions,
    analyse_provisions,
    annex_concern_title,
    annex_warning,
)
from analyser.report import ClauseResult, Concern, ElementResult, Evidence, Status
from analyser.rules import ClauseMatcher, RuleHit
from analyser.segment import SegmentedDocument, Sentence

MIN_WORDS_FOR_MODEL = 4
HEADING_DISCOUNT = 0.8  # a heading alone is weaker evidence than a sentence that binds


@dataclass
class ClauseScores:
    """Per-sentence scores for one clause; kept for evaluation and debugging."""

    core: np.ndarray
    any: np.ndarray
    concerned: np.ndarray  # a concern or a negated rule: weakens the whole provision
    deferred: (
        np.ndarray
    )  # a caps_at_partial element ("settled in a later agreement"): this sentence


def _evidence(sentence: Sentence, score: float, element: str | None) -> Evidence:
    return Evidence(
        sentence.text,
        sentence.start,
        sentence.end,
        sentence.page,
        sentence.section,
        float(score),
        element,
    )


def detect_clauses(
    segmented: SegmentedDocument,
    profile: Profile,
    matcher: ClauseMatcher,
    classifier: ClauseClassifier | None,
    matcher_for: Callable[[str], ClauseMatcher] | None = None,
) -> list[ClauseResult]:
    sentences = segmented.sentences
    texts = [s.match_text for s in sentences]  # normalised; evidence quotes s.text
    if matcher_for is not None and segmented.languages:  # bilingual: each its own rules
        hits = match_by_language(texts, segmented.sentence_languages(), matcher_for)
    else:
        hits = matcher.match(texts)
    probabilities = {}
    if classifier is not None:
        rules = rule_matrix(hits, len(texts), classifier.rule_features)
        probabilities = classifier.predict(texts, rules)
        # The model learnt from whole sentences; on a fragment ("og", a title line) one
        # n-gram carries the whole normalised vector and the score means nothing.
        fragment = np.array([len(t.split()) < MIN_WORDS_FOR_MODEL for t in texts], dtype=bool)
        for by_target in probabilities.values():
            for target in by_target:
                by_target[target] = np.where(fragment, 0.0, by_target[target])
    by_clause: dict[str, list[RuleHit]] = defaultdict(list)
    for hit in hits:
        by_clause[hit.clause].append(hit)
    report_lang = "nb" if segmented.pattern_lang == "nb" else "en"
    provisions = analyse_provisions(segmented, profile.clauses)
    return [
        judge_clause(
            spec,
            sentences,
            by_clause.get(spec.id, []),
            probabilities.get(spec.id),
            profile,
            report_lang,
            provisions,
        )
        for spec in profile.clauses
    ]


def sentence_scores(
    spec: ClauseSpec,
    n: int,
    hits: list[RuleHit],
    probs: dict[str, np.ndarray] | None,
    rule_weight: float,
) -> tuple[ClauseScores, dict[int, list[str]], dict[int, list[str]]]:
    core_ids = {e.id for e in spec.elements if e.core}
    capping_ids = {e.id for e in spec.elements if e.caps_at_partial}
    rule_core, rule_any = np.zeros(n), np.zeros(n)
    concerned, deferred = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    elements_at: dict[int, list[str]] = defaultdict(list)
    concerns_at: dict[int, list[str]] = defaultdict(list)
    for hit in hits:
        if hit.is_concern or hit.negated:
            concerned[hit.sentence] = True
            concerns_at[hit.sentence].append(hit.target if hit.is_concern else "negated")
            continue
        rule_any[hit.sentence] = 1.0
        if hit.target in capping_ids:  # e.g. "IPR will be settled in a later agreement"
            deferred[hit.sentence] = True
        if hit.target in core_ids:
            rule_core[hit.sentence] = 1.0
        elements_at[hit.sentence].append(hit.target)
    p_core = probs["core"] if probs is not None else np.zeros(n)
    p_any = probs["any"] if probs is not None else np.zeros(n)
    if probs is None:  # rules alone: a rule hit is the evidence
        rule_weight = 1.0
    core = 1.0 - (1.0 - p_core) * (1.0 - rule_weight * rule_core)
    any_ = 1.0 - (1.0 - np.maximum(p_any, p_core)) * (1.0 - rule_weight * rule_any)
    return ClauseScores(core, any_, concerned, deferred), elements_at, concerns_at


def heading_mask(sentences: list[Sentence]) -> np.ndarray:
    """A heading names a topic but binds no one, so it can show a clause is mentioned
    (partial) but never that its core duty is there."""
    return np.array([s.heading for s in sentences], dtype=bool)


def judge_clause(
    spec: ClauseSpec,
    sentences: list[Sentence],
    hits: list[RuleHit],
    probs: dict[str, np.ndarray] | None,
    profile: Profile,
    lang: str,
    provisions: Provisions | None = None,
) -> ClauseResult:
    t = profile.thresholds
    n = len(sentences)
    scores, elements_at, concerns_at = sentence_scores(spec, n, hits, probs, t.rule_weight)
    headings = heading_mask(sentences)
    capped = scores.concerned | scores.deferred | headings
    if provisions is not None:
        excluded = provisions.excluded(spec.id)
        scores.core = np.where(excluded, 0.0, scores.core)
        scores.any = np.where(excluded, 0.0, scores.any)
        for index in np.flatnonzero(excluded):
            elements_at.pop(int(index), None)
        annex_deferred = np.zeros(n, dtype=bool)
        annex_deferred[list(provisions.missing_annex)] = True
        # A concern weakens its whole provision and every provision it overrides; recitals
        # and text that defers to an annex that is not attached are never core.
        capped = (
            capped | provisions.capped(scores.concerned) | provisions.non_operative | annex_deferred
        )
    core_clean = np.where(capped, 0.0, scores.core)
    scores.any = np.where(headings, scores.any * HEADING_DISCOUNT, scores.any)
    best_core = float(core_clean.max()) if n else 0.0
    best_any = float(scores.any.max()) if n else 0.0
    status: Status
    if best_core >= t.present:
        status, confidence = "present", best_core
    elif best_any >= t.partial:
        status, confidence = "partial", min(best_any, 1.0 - best_core)
    else:
        status, confidence = "missing", 1.0 - best_any
    evidence: list[Evidence] = []
    if status != "missing":
        # Rank by the score that decided the status: core strength for a present clause.
        strength = core_clean if status == "present" else scores.any
        ranking = np.lexsort((-scores.any, -strength))
        for i in ranking[: t.evidence]:
            if scores.any[i] < t.partial and core_clean[i] < t.present:
                break
            element = elements_at[int(i)][0] if elements_at.get(int(i)) else None
            evidence.append(_evidence(sentences[i], strength[i], element))
    found = {el for ids in elements_at.values() for el in ids}
    elements = [
        ElementResult(e.id, e.title.get(lang) or e.title["en"], e.id in found, e.core)
        for e in spec.elements
    ]
    concerns = _concerns(spec, sentences, concerns_at, lang)
    if provisions is not None and status != "missing":
        concerns += _annex_concerns(sentences, provisions, scores.any >= t.partial, lang)
    suggestion = None
    if status != "present":
        suggestion = spec.suggestion.get(lang) or spec.suggestion["en"]
    return ClauseResult(
        spec.id,
        spec.localized_title(lang),
        status,
        round(confidence, 3),
        evidence,
        elements,
        concerns,
        suggestion,
        spec.guidance,
    )


def _concerns(
    spec: ClauseSpec, sentences: list[Sentence], concerns_at: dict[int, list[str]], lang: str
) -> list[Concern]:
    titles = {c.id: c.title.get(lang) or c.title["en"] for c in spec.concerns}
    titles["negated"] = (
        "Formuleringen negerer klausulen" if lang == "nb" else "Wording negates the clause"
    )
    grouped: dict[str, Concern] = {}
    for index in sorted(concerns_at):
        for concern_id in dict.fromkeys(concerns_at[index]):
            concern = grouped.setdefault(concern_id, Concern(concern_id, titles[concern_id]))
            if len(concern.evidence) < 3:
                concern.evidence.append(_evidence(sentences[index], 1.0, None))
    return list(grouped.values())


ANNEX_CONCERN = "annex_not_attached"


def _annex_concerns(
    sentences: list[Sentence], provisions: Provisions, evidence: np.ndarray, lang: str
) -> list[Concern]:
    """One concern per missing annex that this clause's evidence defers to."""
    by_annex: dict[str, Concern] = {}
    for index, annex in sorted(provisions.missing_annex.items()):
        if not evidence[index]:
            continue
        concern = by_annex.setdefault(
            annex, Concern(ANNEX_CONCERN, annex_concern_title(annex, lang))
        )
        if len(concern.evidence) < 3:
            concern.evidence.append(_evidence(sentences[index], 1.0, None))
    return list(by_annex.values())


def annex_warnings(clauses: list[ClauseResult], pattern_lang: str) -> list[str]:
    """One document-level warning per missing annex (its concern title names it), with the
    clauses that rely on it and where the main text defers to it."""
    lang = "nb" if pattern_lang == "nb" else "en"
    by_annex: dict[str, tuple[list[str], list[str]]] = {}
    for result in clauses:
        for concern in result.concerns:
            if concern.id != ANNEX_CONCERN:
                continue
            titles, places = by_annex.setdefault(concern.title, ([], []))
            titles.append(result.title)
            places += [ev.section for ev in concern.evidence if ev.section]
    return [
        annex_warning(concern, titles, ", ".join(dict.fromkeys(places)) or "?", lang)
        for concern, (titles, places) in by_annex.items()
    ]
