"""Match the clause patterns against sentences with spaCy's Matcher.

Rules give what a statistical model cannot: which sub-element of a clause a sentence fulfils
and the exact sentence to quote. Each distinct term is compiled once into a Matcher pattern;
a rule then fires on a sentence when every one of its groups has a term there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import Matcher

from analyser.errors import PatternError
from analyser.patterns import ClauseSpec, Rule, load_yaml_resource
from analyser.segment import sentence_pipeline


@dataclass(frozen=True)
class RuleHit:
    """A rule of a clause element (or concern) that fired on one sentence."""

    clause: str
    target: str  # element or concern id
    is_concern: bool
    sentence: int
    negated: bool = False


@lru_cache(maxsize=1)
def _negation() -> tuple[int, dict[str, frozenset[str]]]:
    data = load_yaml_resource("negation.yaml")
    window = int(data.pop("window", 6))
    return window, {lang: frozenset(str(w).lower() for w in words) for lang, words in data.items()}


def _word_pattern(nlp: Language, word: str) -> list[dict[str, object]]:
    if word == "*":
        return [{"OP": "{1,3}"}]
    prefix_wild, suffix_wild = word.startswith("*"), word.endswith("*")
    core = word.strip("*")
    tokens = [t.lower_ for t in nlp.make_doc(core)]
    pattern: list[dict[str, object]] = [{"LOWER": t} for t in tokens]
    if prefix_wild or suffix_wild:
        last = len(tokens) - 1
        for i, tok in enumerate(tokens):
            lead = "" if (i == 0 and prefix_wild) else "^"
            tail = "" if (i == last and suffix_wild) else "$"
            if (i == 0 and prefix_wild) or (i == last and suffix_wild):
                pattern[i] = {"LOWER": {"REGEX": f"{lead}{_escape(tok)}{tail}"}}
    return pattern


def _escape(text: str) -> str:
    return re.escape(text)


class ClauseMatcher:
    """All clauses' terms for one language in one spaCy Matcher."""

    def __init__(self, clauses: list[ClauseSpec], lang: str) -> None:
        self.lang = lang
        self.nlp = sentence_pipeline(lang)
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.rules: list[tuple[ClauseSpec, str, bool, Rule]] = []
        terms: set[str] = set()
        for clause in clauses:
            for element in clause.elements:
                for rule in element.rules:
                    if rule.lang in (None, lang):
                        self.rules.append((clause, element.id, False, rule))
            for concern in clause.concerns:
                for rule in concern.rules:
                    if rule.lang in (None, lang):
                        self.rules.append((clause, concern.id, True, rule))
        for _c, _t, _k, rule in self.rules:
            terms.update(t for group in rule.groups for t in group)
            terms.update(rule.unless)
        for term in sorted(terms):
            pattern = [tok for word in term.split() for tok in _word_pattern(self.nlp, word)]
            try:
                self.matcher.add(term, [pattern])
            except ValueError as e:  # spaCy's pattern validation
                raise PatternError(f"term {term!r} does not compile: {e}") from e
        self.window, negation = _negation()
        self.negation_words = negation.get(lang, frozenset())

    def match(self, sentences: list[str]) -> list[RuleHit]:
        hits: list[RuleHit] = []
        strings = self.nlp.vocab.strings
        for index, doc in enumerate(self.nlp.tokenizer.pipe(sentences, batch_size=256)):
            found: dict[str, int] = {}
            for match_id, start, _end in self.matcher(doc):
                term = strings[match_id]
                found[term] = min(found.get(term, start), start)
            if not found:
                continue
            lowered = [t.lower_ for t in doc]
            for clause, target, is_concern, rule in self.rules:
                first = _first_positions(rule, found)
                if first is None or any(t in found for t in rule.unless):
                    continue
                negated = rule.negatable and self._negated(lowered, first)
                hits.append(RuleHit(clause.id, target, is_concern, index, negated))
        return hits

    def _negated(self, lowered: list[str], position: int) -> bool:
        window = lowered[max(0, position - self.window) : position]
        return any(w in self.negation_words for w in window)


def _first_positions(rule: Rule, found: dict[str, int]) -> int | None:
    """Token position of the first group's earliest term, or None if a group is unmatched."""
    first: int | None = None
    for i, group in enumerate(rule.groups):
        positions = [found[t] for t in group if t in found]
        if not positions:
            return None
        if i == 0:
            first = min(positions)
    return first


def group_hits(hits: list[RuleHit]) -> dict[str, list[RuleHit]]:
    by_clause: dict[str, list[RuleHit]] = defaultdict(list)
    for hit in hits:
        by_clause[hit.clause].append(hit)
    return by_clause
