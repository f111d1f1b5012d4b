"""What a sentence's place in the agreement lets it prove, and how far a weakening term reaches.

An adviser reads a clause as the provision it stands in, not as a lone sentence: "Each Party
shall be free to publish" followed in the same article by "the other Party may require that
publication be postponed" is a limited right, and so is a free-standing right that another
article overrides ("Notwithstanding Article 3, no findings may be published ..."). Likewise a
recital, a title or a definition binds no one, an article "[intentionally left blank]" is no
clause, and a duty deferred to an annex that is not attached is not yet agreed.

This module computes those facts once per document, for :mod:`analyser.detect` to apply:
which provision (article or numbered clause) each sentence belongs to, which provisions limit
which, which sentences are not operative, which are no evidence at all, and which defer to a
missing annex. The wording it looks for is data (``clause_patterns/provisions.yaml``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from analyser.errors import PatternError
from analyser.patterns import (
    ClauseSpec,
    ElementSpec,
    Rule,
    _fail,
    _rules,
    _title,
    load_yaml_file,
    patterns_dir,
)
from analyser.rules import ClauseMatcher
from analyser.segment import SegmentedDocument, Sentence

# Parts of an agreement (Sentence.part) that state intentions or formalities, not duties.
NON_OPERATIVE_PARTS = frozenset({"preamble", "recitals", "signature block"})
_MARKERS = ("recital", "definition", "blank")
_NOT_EVIDENCE = "not_evidence:"
_FILE_KEYS = {"source", "references", "annexes", *_MARKERS}
_REFERENCE_KEYS = {"limited_by", "overrides", "provision_words"}
_ANNEX_KEYS = {"words", "concern_title", "warning"}
_SECTION_NUMBER = re.compile(
    r"^\s*(?:(?:article|art\.|clause|section|paragraph|artikkel|artikel|punkt|paragraf|"
    r"kapittel|chapter)\s+(?P<named>\d+|[ivxlc]+)\b|§\s*(?P<sign>\d+)|(?P<bare>\d+)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ProvisionSpec:
    """The validated content of ``provisions.yaml``."""

    markers: dict[str, tuple[Rule, ...]]
    limited_by: re.Pattern[str]
    overrides: re.Pattern[str]
    annex_reference: re.Pattern[str]
    annex_heading: re.Pattern[str]
    concern_title: dict[str, str]
    warning: dict[str, str]


def _words(path: Any, node: Any, raw: Any, what: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(w, str) and w for w in raw):
        raise _fail(path, node, f"{what} must be a non-empty list of words")
    return [" ".join(w.lower().split()) for w in raw]


def _alternatives(words: list[str]) -> str:
    # Longest first, so "subject always to" is tried before "subject to".
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


def parse_provision_spec(path: Any) -> ProvisionSpec:
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise PatternError("provisions.yaml must be a YAML mapping", str(path))
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise _fail(path, data, f"unknown key(s) {sorted(unknown)}")
    for key in (*_MARKERS, "references", "annexes"):
        if key not in data:
            raise _fail(path, data, f"missing key '{key}'")
    markers = {m: _rules(path, data, data[m], m) for m in _MARKERS}
    refs = data["references"]
    if not isinstance(refs, dict) or set(refs) != _REFERENCE_KEYS:
        raise _fail(path, data, f"references needs exactly {sorted(_REFERENCE_KEYS)}")
    provision = _alternatives(_words(path, refs, refs["provision_words"], "provision_words"))
    target = (
        rf"(?:the\s+provisions\s+of\s+|bestemmelsene\s+i\s+)?(?:{provision})"
        rf"\s*(?P<num>\d+|[ivxlc]+)\b"
    )
    limited = _alternatives(_words(path, refs, refs["limited_by"], "limited_by"))
    overrides = _alternatives(_words(path, refs, refs["overrides"], "overrides"))
    annexes = data["annexes"]
    if (
        not isinstance(annexes, dict)
        or set(annexes) - _ANNEX_KEYS
        or set(_ANNEX_KEYS) - set(annexes)
    ):
        raise _fail(path, data, f"annexes needs exactly {sorted(_ANNEX_KEYS)}")
    annex_words = _alternatives(_words(path, annexes, annexes["words"], "annexes.words"))
    concern_title = _title(path, annexes, annexes["concern_title"], "annexes.concern_title")
    warning = _title(path, annexes, annexes["warning"], "annexes.warning")
    for what, texts in (("concern_title", concern_title), ("warning", warning)):
        for text in texts.values():
            try:
                text.format(annex="A", concern="c", clauses="c", where="w")
            except (KeyError, IndexError, ValueError) as e:
                raise _fail(path, annexes, f"annexes.{what}: unknown placeholder ({e})") from e
    annex_id = r"(?P<id>\d+|[A-Z]\b|[IVX]+\b)"
    return ProvisionSpec(
        markers=markers,
        limited_by=re.compile(rf"\b(?:{limited})\s+{target}", re.IGNORECASE),
        overrides=re.compile(rf"\b(?:{overrides})\s+{target}", re.IGNORECASE),
        annex_reference=re.compile(rf"\b(?i:{annex_words})\s+{annex_id}"),
        annex_heading=re.compile(rf"^\s*(?i:{annex_words})\s+{annex_id}"),
        concern_title=concern_title,
        warning=warning,
    )


@lru_cache(maxsize=1)
def load_provision_spec() -> ProvisionSpec:
    return parse_provision_spec(patterns_dir() / "provisions.yaml")


@lru_cache(maxsize=8)
def _matcher(not_evidence: tuple[tuple[str, tuple[Rule, ...]], ...], lang: str) -> ClauseMatcher:
    """Markers and the clauses' not-evidence rules, in clause shape for ClauseMatcher."""
    spec = load_provision_spec()
    shaped = [
        ClauseSpec(
            m,
            {"en": m},
            "",
            "",
            (ElementSpec(m, {"en": m}, True, spec.markers[m]),),
            (),
            {"en": ""},
        )
        for m in _MARKERS
    ]
    for clause_id, rules in not_evidence:
        element = ElementSpec("not_evidence", {"en": "not evidence"}, True, rules)
        shaped.append(
            ClauseSpec(
                _NOT_EVIDENCE + clause_id, {"en": clause_id}, "", "", (element,), (), {"en": ""}
            )
        )
    return ClauseMatcher(shaped, lang)


def provision_key(sentence: Sentence) -> str:
    """The article or numbered clause a sentence stands in: "8.2" and "Article 8" are "|8";
    an annex's clauses are keyed under the annex; unnumbered text is its own paragraph."""
    part = (sentence.part or "").lower()
    scope = part if part.split(" ")[0] in {"annex", "appendix", "schedule", "vedlegg"} else ""
    m = _SECTION_NUMBER.match(sentence.section or "")
    if m:
        number = m.group("named") or m.group("sign") or m.group("bare")
        return f"{scope}|{number.lower()}"
    return f"{scope}|block {sentence.block}"


@dataclass
class Provisions:
    """Per-sentence facts about where each sentence stands, for one document."""

    keys: list[str]
    non_operative: np.ndarray  # recital, preamble, signature block: never core evidence
    no_evidence: np.ndarray  # a definition or an article left blank: no evidence at all
    not_evidence: dict[str, np.ndarray]  # clause id -> sentences its own rules exclude
    limited_by: dict[str, set[str]] = field(default_factory=dict)  # provision -> its limiters
    missing_annex: dict[int, str] = field(default_factory=dict)  # sentence -> "Annex 2"

    def capped(self, concerned: np.ndarray) -> np.ndarray:
        """Sentences whose provision carries a concern, or is limited by one that does."""
        weak = {self.keys[i] for i in np.flatnonzero(concerned)}
        if not weak:
            return np.zeros(len(self.keys), dtype=bool)
        limited = {p for p, limiters in self.limited_by.items() if limiters & weak}
        return np.array([k in weak or k in limited for k in self.keys], dtype=bool)

    def excluded(self, clause_id: str) -> np.ndarray:
        own = self.not_evidence.get(clause_id)
        return self.no_evidence if own is None else self.no_evidence | own


def _annex_id(match: re.Match[str]) -> str:
    return match.group("id").upper()


def attached_annexes(segmented: SegmentedDocument, spec: ProvisionSpec) -> set[str]:
    """Annex numbers the document contains: from segmentation's parts, or a block that opens
    with an annex title ("Annex 2 Intellectual property", "Vedlegg 2")."""
    found: set[str] = set()
    for block in segmented.document.blocks:
        for text in (block.part or "", block.text.split("\n", 1)[0]):
            m = spec.annex_heading.match(text)
            heading_like = len(text.split()) <= 12 and not text.rstrip().endswith((".", ";"))
            if m and (text == block.part or heading_like):
                found.add(_annex_id(m))
    for sentence in segmented.sentences:
        m = spec.annex_heading.match(sentence.part or "")
        if m:
            found.add(_annex_id(m))
    return found


def analyse_provisions(segmented: SegmentedDocument, clauses: Sequence[ClauseSpec]) -> Provisions:
    spec = load_provision_spec()
    sentences = segmented.sentences
    n = len(sentences)
    lang = "nb" if segmented.pattern_lang == "nb" else "en"
    rules = tuple((c.id, c.not_evidence) for c in clauses if c.not_evidence)
    fired: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n, dtype=bool))
    if n:
        for hit in _matcher(rules, lang).match([s.text for s in sentences]):
            if not hit.negated:
                fired[hit.clause][hit.sentence] = True
    zeros = np.zeros(n, dtype=bool)
    parts = np.array([(s.part or "").lower() in NON_OPERATIVE_PARTS for s in sentences], bool)
    keys = [provision_key(s) for s in sentences]
    provisions = Provisions(
        keys,
        parts | fired.get("recital", zeros),
        fired.get("definition", zeros) | fired.get("blank", zeros),
        {k[len(_NOT_EVIDENCE) :]: v for k, v in fired.items() if k.startswith(_NOT_EVIDENCE)},
    )
    for i, sentence in enumerate(sentences):
        for m in spec.limited_by.finditer(sentence.text):
            provisions.limited_by.setdefault(keys[i], set()).add(f"|{m.group('num').lower()}")
        for m in spec.overrides.finditer(sentence.text):
            provisions.limited_by.setdefault(f"|{m.group('num').lower()}", set()).add(keys[i])
    attached = attached_annexes(segmented, spec)
    for i, sentence in enumerate(sentences):
        if spec.annex_heading.match(sentence.part or ""):
            continue  # an annex's own text
        for m in spec.annex_reference.finditer(sentence.text):
            if m.start() == 0 and sentence.heading:
                continue  # the annex's title
            if _annex_id(m) not in attached:
                provisions.missing_annex[i] = " ".join(m.group(0).split())
                break
    return provisions


def annex_concern_title(annex: str, lang: str) -> str:
    spec = load_provision_spec()
    return (spec.concern_title.get(lang) or spec.concern_title["en"]).format(annex=annex)


def annex_warning(concern: str, clauses: list[str], where: str, lang: str = "en") -> str:
    """The report warning for one missing annex; ``concern`` is its concern title."""
    spec = load_provision_spec()
    text = spec.warning.get(lang) or spec.warning["en"]
    return text.format(concern=concern, clauses=", ".join(clauses), where=where)
