"""Tests for analyser/rules.py: the fast term matcher finds exactly what the old one found.

The oracle is tests/reference_matcher.py, the spaCy Matcher/PhraseMatcher implementation that
shipped before issue 18. Every sample and every development-half corpus text is segmented and
matched sentence by sentence, in both pattern languages, with the clause rules and with every
red flag; terms, their first token positions and the rule hits must be identical.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from analyser.errors import PatternError
from analyser.extract import extract
from analyser.patterns import load_builtin_clauses
from analyser.redflags import load_flag_set
from analyser.rules import ClauseMatcher, RuleHit, TermMatcher
from analyser.segment import segment
from tests.reference_matcher import ReferenceClauseMatcher, ReferenceTermMatcher

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CORPUS = REPO.parent / "shared" / "corpus"
LANGS = ("en", "nb")


def _sample_paths() -> list[Path]:
    return sorted(
        p for p in SAMPLES.rglob("*") if p.suffix in {".txt", ".docx", ".pdf"} and p.is_file()
    )


def _dev_corpus_paths() -> list[Path]:
    """Development-half texts only: held-out texts are never read by tests."""
    labels = CORPUS / "dev-labels.jsonl"
    if not labels.exists():
        return []
    ids = [json.loads(line)["id"] for line in labels.read_text("utf-8").splitlines() if line]
    return [CORPUS / "texts" / f"{i}.txt" for i in ids]


DOCUMENTS = _sample_paths() + _dev_corpus_paths()


def _doc_id(path: Path) -> str:
    return path.relative_to(path.parents[1]).as_posix()


@pytest.fixture(scope="module")
def clause_matchers() -> dict[str, tuple[ClauseMatcher, ReferenceClauseMatcher]]:
    specs = list(load_builtin_clauses().values())
    return {
        lang: (ClauseMatcher(specs, lang), ReferenceClauseMatcher(specs, lang)) for lang in LANGS
    }


@pytest.fixture(scope="module")
def flag_matchers() -> dict[str, tuple[ClauseMatcher, ReferenceClauseMatcher]]:
    flag_set = load_flag_set(())
    specs = [flag.as_clause() for flag in flag_set.flags.values()]  # every flag, default or not
    return {
        lang: (ClauseMatcher(specs, lang), ReferenceClauseMatcher(specs, lang)) for lang in LANGS
    }


def _by_sentence(hits: list[RuleHit]) -> dict[int, list[RuleHit]]:
    grouped: dict[int, list[RuleHit]] = defaultdict(list)
    for hit in hits:
        grouped[hit.sentence].append(hit)
    return grouped


def _assert_same_hits(name: str, texts: list[str], new: list[RuleHit], old: list[RuleHit]) -> None:
    new_by, old_by = _by_sentence(new), _by_sentence(old)
    for i, text in enumerate(texts):
        assert new_by.get(i, []) == old_by.get(i, []), f"{name}, sentence {i}: {text!r}"
    assert new == old  # and in the same order across sentences


@pytest.mark.slow
@pytest.mark.parametrize("path", DOCUMENTS, ids=_doc_id)
def test_rules_hits_identical_to_reference_matcher(
    path: Path,
    clause_matchers: dict[str, tuple[ClauseMatcher, ReferenceClauseMatcher]],
    flag_matchers: dict[str, tuple[ClauseMatcher, ReferenceClauseMatcher]],
) -> None:
    texts = [s.text for s in segment(extract(path)).sentences]
    assert texts, path
    for lang in LANGS:
        for kind, (new, old) in (
            ("clauses", clause_matchers[lang]),
            ("red flags", flag_matchers[lang]),
        ):
            name = f"{path.name} [{lang}, {kind}]"
            new_found = new.terms.find(texts)
            old_found = [found for found, _doc in old.terms.find(texts)]
            for i, text in enumerate(texts):
                assert new_found[i] == old_found[i], f"{name}, sentence {i}: {text!r}"
            _assert_same_hits(name, texts, new.match(texts), old.match(texts))


def test_rules_corpus_is_present_for_the_equivalence_test() -> None:
    """The equivalence test above is only as strong as its texts: the development corpus must
    be there (it is, in the shared checkout) so that it runs on real agreements."""
    if not CORPUS.exists():
        pytest.skip("shared corpus not checked out")
    assert len(_dev_corpus_paths()) >= 20
    assert all(p.exists() for p in _dev_corpus_paths())


EDGE_TERMS = [
    "terminat*",
    "*resultat*",
    "*data",
    "non-exclusive",
    "re-identif*",
    "bring * to an end",
    "subject to * approval",
    "a * * b",
    "right to publish",
    "the",
]
EDGE_CASES = [
    # (text, expected {term: first token position})
    ("The Agreement may be terminated.", {"the": 0, "terminat*": 4}),
    ("Either party may bring this agreement to an end.", {"bring * to an end": 3}),
    ("They bring the whole cooperation swiftly to an end.", {"the": 2}),  # gap of 4: no
    ("bring it to an end and bring it to an end", {"bring * to an end": 0}),
    ("Subject to the prior written approval of X.", {"subject to * approval": 0, "the": 2}),
    ("a x y b", {"a * * b": 0}),
    ("a x b", {}),
    ("a x y z w v b", {"a * * b": 0}),
    ("a x y z w v u b", {"a * * b": 0}),
    ("a x y z w v u t b", {}),
    ("Forskningsresultatene og metadata.", {"*resultat*": 0, "*data": 2}),
    ("A non-exclusive licence; no re-identification.", {"non-exclusive": 1, "re-identif*": 7}),
    ("We have the right to publish, the RIGHT TO PUBLISH.", {"the": 2, "right to publish": 3}),
    ("terminat", {"terminat*": 0}),
    ("", {}),
]


@pytest.mark.parametrize(
    ("text", "expected"), EDGE_CASES, ids=[c[0][:30] or "empty" for c in EDGE_CASES]
)
def test_rules_term_matcher_edge_cases(text: str, expected: dict[str, int]) -> None:
    new = TermMatcher("en", EDGE_TERMS).find([text])[0]
    old = ReferenceTermMatcher("en", EDGE_TERMS).find([text])[0][0]
    assert new == expected
    assert new == old


def test_rules_term_matcher_learns_words_across_calls() -> None:
    """A wildcard must fit words first seen in a later call, and keep fitting earlier ones."""
    matcher = TermMatcher("en", ["terminat*", "notice of terminat*"])
    assert matcher.find(["It terminates."]) == [{"terminat*": 1}]
    assert matcher.find(["Notice of termination.", "It terminates."]) == [
        {"terminat*": 2, "notice of terminat*": 0},
        {"terminat*": 1},
    ]


@pytest.mark.parametrize("term", ["* gap first", "gap last *"], ids=["leading", "trailing"])
def test_rules_term_matcher_rejects_unanchored_gap(term: str) -> None:
    with pytest.raises(PatternError, match="lone"):
        TermMatcher("en", [term])
