"""TEST ORACLE: the clause matcher as it was before issue 18 (spaCy token Matcher with wildcard
IN-sets plus a PhraseMatcher), kept verbatim so that tests/test_rules.py can assert that the
fast matcher in analyser/rules.py finds exactly the same terms, first positions and rule hits.

Not used by the analyser. Do not "improve" it: its only value is that it is the old behaviour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from analyser.errors import PatternError
from analyser.patterns import ClauseSpec, Rule, load_yaml_resource
from analyser.rules import RuleHit
from analyser.segment import sentence_pipeline

GAP = "*"


@dataclass(frozen=True)
class Wildcard:
    """A token-level word with ``*`` at its start and/or end."""

    core: str
    prefix: bool  # "*core": any beginning
    suffix: bool  # "core*": any ending

    def fits(self, word: str) -> bool:
        if self.prefix and self.suffix:
            return self.core in word
        if self.suffix:
            return word.startswith(self.core)
        return word.endswith(self.core)


TokenSpec = str | Wildcard  # a literal lower-case token, a wildcard, or GAP


def compile_term(nlp: Language, term: str) -> tuple[TokenSpec, ...]:
    """Token specs of a term, tokenised as documents are so that "non-exclusive" lines up."""
    specs: list[TokenSpec] = []
    for word in term.split():
        if word == GAP:
            specs.append(GAP)
            continue
        prefix, suffix = word.startswith("*"), word.endswith("*")
        tokens = [t.lower_ for t in nlp.make_doc(word.strip("*"))]
        if not tokens:
            raise PatternError(f"term {term!r} has an empty word")
        for i, token in enumerate(tokens):
            first, last = i == 0, i == len(tokens) - 1
            if (first and prefix) or (last and suffix):
                specs.append(Wildcard(token, first and prefix, last and suffix))
            else:
                specs.append(token)
    return tuple(specs)


class ReferenceTermMatcher:
    """Finds terms (the rule language's words and phrases) in texts of one language."""

    def __init__(self, lang: str, terms: Iterable[str]) -> None:
        self.lang = lang
        self.nlp = sentence_pipeline(lang)
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.terms = {term: compile_term(self.nlp, term) for term in sorted(set(terms))}
        self.expansions: dict[Wildcard, set[str]] = {}
        self.terms_using: dict[Wildcard, list[str]] = defaultdict(list)
        for term, specs in self.terms.items():
            for spec in specs:
                if isinstance(spec, Wildcard):
                    self.expansions.setdefault(spec, set())
                    self.terms_using[spec].append(term)
            if all(isinstance(s, str) and s != GAP for s in specs):
                words = [s for s in specs if isinstance(s, str)]
                self.phrases.add(term, [Doc(self.nlp.vocab, words=words)])
            elif not any(isinstance(s, Wildcard) for s in specs):
                self._add(term)
        self.seen: set[str] = set()

    def _add(self, term: str) -> None:
        pattern: list[dict[str, object]] = []
        for spec in self.terms[term]:
            if spec == GAP:
                pattern.append({"OP": "{1,3}"})
            elif isinstance(spec, Wildcard):
                words = self.expansions[spec]
                if not words:
                    return  # cannot match anything yet
                pattern.append({"LOWER": {"IN": sorted(words)}})
            else:
                pattern.append({"LOWER": spec})
        if term in self.matcher:
            self.matcher.remove(term)
        try:
            self.matcher.add(term, [pattern])
        except ValueError as e:  # spaCy's pattern validation
            raise PatternError(f"term {term!r} does not compile: {e}") from e

    def _learn(self, docs: list[Doc]) -> None:
        new = {t.lower_ for doc in docs for t in doc} - self.seen
        if not new:
            return
        self.seen |= new
        grown: set[str] = set()
        for wildcard, words in self.expansions.items():
            fitting = {w for w in new if wildcard.fits(w)}
            if fitting:
                words |= fitting
                grown.update(self.terms_using[wildcard])
        for term in sorted(grown):
            self._add(term)

    def find(self, texts: list[str]) -> list[tuple[dict[str, int], Doc]]:
        """For each text, the terms found (with the token position of each one's first match)
        and the tokenised text, which callers reuse rather than tokenise again."""
        docs = [self.nlp.make_doc(text) for text in texts]
        self._learn(docs)
        strings = self.nlp.vocab.strings
        found_per_text: list[tuple[dict[str, int], Doc]] = []
        for doc in docs:
            found: dict[str, int] = {}
            # An empty Matcher (no wildcard word seen yet) warns (spaCy W036); it finds nothing.
            by_tokens = self.matcher(doc) if len(self.matcher) else []
            for match_id, start, _end in [*by_tokens, *self.phrases(doc)]:
                term = strings[match_id]
                found[term] = min(found.get(term, start), start)
            found_per_text.append((found, doc))
        return found_per_text


@lru_cache(maxsize=1)
def _negation() -> tuple[int, dict[str, frozenset[str]]]:
    data = load_yaml_resource("negation.yaml")
    window = int(data.pop("window", 6))
    return window, {lang: frozenset(str(w).lower() for w in words) for lang, words in data.items()}


class ReferenceClauseMatcher:
    """All clauses' rules for one language over one TermMatcher."""

    def __init__(self, clauses: list[ClauseSpec], lang: str) -> None:
        self.lang = lang
        self.rules: list[tuple[ClauseSpec, str, bool, Rule]] = []
        for clause in clauses:
            for element in clause.elements:
                for rule in element.rules:
                    if rule.lang in (None, lang):
                        self.rules.append((clause, element.id, False, rule))
            for concern in clause.concerns:
                for rule in concern.rules:
                    if rule.lang in (None, lang):
                        self.rules.append((clause, concern.id, True, rule))
        terms: set[str] = set()
        for _c, _t, _k, rule in self.rules:
            terms.update(t for group in rule.groups for t in group)
            terms.update(rule.unless)
        self.terms = ReferenceTermMatcher(lang, terms)
        self.window, negation = _negation()
        self.negation_words = negation.get(lang, frozenset())

    def match(self, sentences: list[str]) -> list[RuleHit]:
        hits: list[RuleHit] = []
        for index, (found, doc) in enumerate(self.terms.find(sentences)):
            if not found:
                continue
            lowered: list[str] | None = None
            for clause, target, is_concern, rule in self.rules:
                first = _first_position(rule, found)
                if first is None or any(t in found for t in rule.unless):
                    continue
                negated = False
                if rule.negatable:
                    lowered = lowered or [t.lower_ for t in doc]
                    negated = self._negated(lowered, first)
                hits.append(RuleHit(clause.id, target, is_concern, index, negated))
        return hits

    def _negated(self, lowered: list[str], position: int) -> bool:
        window = lowered[max(0, position - self.window) : position]
        return any(w in self.negation_words for w in window)


def _first_position(rule: Rule, found: dict[str, int]) -> int | None:
    """Token position of the first group's earliest term, or None if a group is unmatched."""
    first: int | None = None
    for i, group in enumerate(rule.groups):
        positions = [found[t] for t in group if t in found]
        if not positions:
            return None
        if i == 0:
            first = min(positions)
    return first
