"""Match the clause patterns against sentences.

Rules give what a statistical model cannot: which sub-element of a clause a sentence fulfils
and the exact sentence to quote. A rule fires on a sentence when every one of its groups has
a term there (and none of its ``unless`` terms does).

Speed (issue 18): the terms are matched by our own index over spaCy's token hashes, not by
spaCy's Matcher. Most terms hold a wildcard word (``terminat*``), which the Matcher can only
test in Python for every token and every pattern (54-85 ms a page, growing with the
vocabulary). Here each distinct lower-case word is classified ONCE per process into the token
specs it fits (a literal, a wildcard; found by looking up its prefixes and suffixes, not by
trying every wildcard), and a sentence is then one pass over its token hashes: only where a
token fits the first spec of some term is that term checked from there on, gaps included.
Rules are looked up from the terms found, so a sentence costs nothing for rules it cannot
fire. The first match of a term is its earliest start, as before; tests/test_rules.py holds
the old implementation as an oracle and checks hits are identical on every sample and the
development corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import LOWER
from spacy.language import Language

from analyser.errors import PatternError
from analyser.patterns import ClauseSpec, Rule, load_yaml_resource
from analyser.segment import sentence_pipeline

GAP = "*"  # a lone star: one to three words of any kind


@dataclass(frozen=True)
class RuleHit:
    """A rule of a clause element (or concern) that fired on one sentence."""

    clause: str
    target: str  # element or concern id
    is_concern: bool
    sentence: int
    negated: bool = False


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


# Language -> (the texts last tokenised, their lower-case token hashes); see TermMatcher._tokens.
_recent_tokens: dict[str, tuple[list[str], list[list[int]]]] = {}
_GAP_ID = -1  # a gap in a compiled term: one to three tokens of any kind
_NOTHING: frozenset[int] = frozenset()


class TermMatcher:
    """Finds terms (the rule language's words and phrases) in texts of one language."""

    def __init__(self, lang: str, terms: Iterable[str]) -> None:
        self.lang = lang
        self.nlp = sentence_pipeline(lang)
        self.names: tuple[str, ...] = tuple(sorted(set(terms)))
        self.index = {name: i for i, name in enumerate(self.names)}
        spec_ids: dict[TokenSpec, int] = {}
        self.compiled: list[tuple[int, ...]] = []
        for name in self.names:
            specs = compile_term(self.nlp, name)
            if specs[0] == GAP or specs[-1] == GAP:
                raise PatternError(f"term {name!r}: a lone '*' must stand between words")
            self.compiled.append(
                tuple(_GAP_ID if s == GAP else spec_ids.setdefault(s, len(spec_ids)) for s in specs)
            )
        # How a word finds the specs it fits: by itself, by its prefixes ("core*"), by its
        # suffixes ("*core"), or by a substring test for the few "*core*".
        self._literal: dict[str, int] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._by_suffix: dict[str, list[int]] = {}
        self._by_substring: list[tuple[str, int]] = []
        for spec, spec_id in spec_ids.items():
            if isinstance(spec, str):
                self._literal[spec] = spec_id
            elif spec.prefix and spec.suffix:
                self._by_substring.append((spec.core, spec_id))
            elif spec.suffix:
                self._by_prefix.setdefault(spec.core, []).append(spec_id)
            else:
                self._by_suffix.setdefault(spec.core, []).append(spec_id)
        self._longest_core = max((len(c) for c in [*self._by_prefix, *self._by_suffix]), default=0)
        # Terms by their first spec: only a token fitting it can start the term.
        self._starting: dict[int, list[int]] = {}
        for term, compiled in enumerate(self.compiled):
            self._starting.setdefault(compiled[0], []).append(term)
        # Lower-case word hash -> the spec ids the word fits; filled as words are first seen.
        self._fits: dict[int, frozenset[int]] = {}

    def _classify(self, word_hash: int) -> frozenset[int]:
        word = self.nlp.vocab.strings[word_hash]
        fits: set[int] = set()
        if (literal := self._literal.get(word)) is not None:
            fits.add(literal)
        for length in range(1, min(len(word), self._longest_core) + 1):
            fits.update(self._by_prefix.get(word[:length], ()))
            fits.update(self._by_suffix.get(word[-length:], ()))
        fits.update(spec_id for core, spec_id in self._by_substring if core in word)
        result = frozenset(fits) if fits else _NOTHING
        self._fits[word_hash] = result
        return result

    def scan(self, texts: list[str]) -> Iterator[tuple[dict[int, int], list[int]]]:
        """For each text: {term index: token position of its first match} and the text's
        lower-case token hashes (for callers that look around a match)."""
        cache, classify = self._fits, self._classify
        for lowers in self._tokens(texts):
            fits = [cache[h] if h in cache else classify(h) for h in lowers]
            found: dict[int, int] = {}
            for position, fitting in enumerate(fits):
                for spec_id in fitting:
                    for term in self._starting.get(spec_id, ()):
                        if term not in found and _matches(
                            self.compiled[term], 1, fits, position + 1
                        ):
                            found[term] = position
            yield found, lowers

    def _tokens(self, texts: list[str]) -> list[list[int]]:
        """Lower-case token hashes of each text. The clause, red-flag and profile matchers of
        one language read the same sentences in turn, so the last batch is kept per language
        (one document's worth) and tokenised once."""
        recent = _recent_tokens.get(self.lang)
        if recent is not None and recent[0] == texts:
            return recent[1]
        tokens = [self.nlp.make_doc(text).to_array(LOWER).tolist() for text in texts]
        _recent_tokens[self.lang] = (list(texts), tokens)
        return tokens

    def find(self, texts: list[str]) -> list[dict[str, int]]:
        """For each text, the terms found, each with the token position of its first match."""
        names = self.names
        return [{names[t]: p for t, p in found.items()} for found, _ in self.scan(texts)]


def _matches(specs: tuple[int, ...], k: int, fits: list[frozenset[int]], position: int) -> bool:
    """Whether ``specs[k:]`` matches the tokens from ``position`` on (a gap takes 1-3)."""
    while k < len(specs):
        spec_id = specs[k]
        if spec_id == _GAP_ID:
            return any(_matches(specs, k + 1, fits, position + n) for n in (1, 2, 3))
        if position >= len(fits) or spec_id not in fits[position]:
            return False
        k += 1
        position += 1
    return True


@lru_cache(maxsize=1)
def _negation() -> tuple[int, dict[str, frozenset[str]]]:
    data = load_yaml_resource("negation.yaml")
    window = int(data.pop("window", 6))
    return window, {lang: frozenset(str(w).lower() for w in words) for lang, words in data.items()}


@dataclass(frozen=True)
class _CompiledRule:
    groups: tuple[tuple[int, ...], ...]  # term indices
    unless: tuple[int, ...]


class ClauseMatcher:
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
        self.terms = TermMatcher(lang, terms)
        index = self.terms.index
        self._compiled = [
            _CompiledRule(
                tuple(tuple(index[t] for t in group) for group in rule.groups),
                tuple(index[t] for t in rule.unless),
            )
            for _c, _t, _k, rule in self.rules
        ]
        # A rule can only fire where a term of its first group is found.
        self._rules_by_term: dict[int, list[int]] = {}
        for number, compiled in enumerate(self._compiled):
            for term in set(compiled.groups[0]):
                self._rules_by_term.setdefault(term, []).append(number)
        self.window, negation = _negation()
        strings = self.terms.nlp.vocab.strings
        self.negation_hashes = frozenset(strings.add(w) for w in negation.get(lang, ()))

    def match(self, sentences: list[str]) -> list[RuleHit]:
        hits: list[RuleHit] = []
        for index, (found, lowers) in enumerate(self.terms.scan(sentences)):
            if not found:
                continue
            candidates = sorted({r for t in found for r in self._rules_by_term.get(t, ())})
            for number in candidates:
                compiled = self._compiled[number]
                first = _first_position(compiled, found)
                if first is None or any(t in found for t in compiled.unless):
                    continue
                clause, target, is_concern, rule = self.rules[number]
                negated = rule.negatable and self._negated(lowers, first)
                hits.append(RuleHit(clause.id, target, is_concern, index, negated))
        return hits

    def _negated(self, lowers: list[int], position: int) -> bool:
        window = lowers[max(0, position - self.window) : position]
        return any(h in self.negation_hashes for h in window)


def _first_position(rule: _CompiledRule, found: dict[int, int]) -> int | None:
    """Token position of the first group's earliest term, or None if a group is unmatched."""
    first: int | None = None
    for i, group in enumerate(rule.groups):
        positions = [found[t] for t in group if t in found]
        if not positions:
            return None
        if i == 0:
            first = min(positions)
    return first
