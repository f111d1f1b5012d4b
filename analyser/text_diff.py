"""Word-level redline between two versions of an agreement, aligned by paragraph and article.

Clause statuses say what a new version does to the six clauses; they say nothing about a
confidentiality term changed from five to fifty years or disputes moved to the partner's
courts. This module finds every changed passage the way Word's *Compare* shows it: deleted
words struck, inserted words underlined, each change labelled with the article it stands in.

Two passes with the standard library's :class:`difflib.SequenceMatcher` (maintained with
Python itself, no dependency; diff-match-patch diffs characters and would need word-level
encoding tricks to give the same result): paragraphs first, so a moved or renumbered
paragraph does not drag the whole document into one change; then words, only inside the
paragraphs that differ.

The alignment has a work budget. ``SequenceMatcher`` visits every pair of equal items in the
range it searches, once per matching block it finds, so its cost is cubic when items repeat:
2,000 copies of one paragraph with every other copy changed took four minutes, and the web's
compare page runs this in the server. Past :data:`WORK_BUDGET` pair visits the rest of the
comparison is not aligned: the changed stretch is reported as one replacement and
:attr:`TextDiff.complete` is False, so a page can say the redline is coarse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from analyser.document import Document

ChangeKind = Literal["inserted", "deleted", "replaced"]
# Below this share of common words two files are not versions of one agreement.
DIFFERENT_AGREEMENTS_BELOW = 0.35
# Changes separated by so few unchanged words read better as one change ("five years" ->
# "fifty months" is one replacement, not two).
_MERGE_GAP = 2
_CONTEXT_WORDS = 6
# Pairs of equal items SequenceMatcher may visit in one comparison, paragraphs and words
# together: a few seconds of CPU at most. Two versions of a 40-page agreement use well under 1%.
WORK_BUDGET = 10_000_000


@dataclass
class TextChange:
    kind: ChangeKind
    old: str
    new: str
    section: str | None = None
    # A few unchanged words either side, so the change can be read in place.
    context_before: str = ""
    context_after: str = ""


@dataclass
class TextDiff:
    changes: list[TextChange] = field(default_factory=list)
    similarity: float = 1.0  # share of words the two versions have in common, 0..1
    complete: bool = True  # False: the work budget ran out and some changes are coarse

    @property
    def different_agreements(self) -> bool:
        return self.similarity < DIFFERENT_AGREEMENTS_BELOW


class _OverBudget(Exception):
    """The comparison has used its :data:`WORK_BUDGET`."""


@dataclass
class _Budget:
    left: int
    exhausted: bool = False


class _BoundedMatcher(SequenceMatcher):
    """A SequenceMatcher that charges each longest-match search to a shared budget."""

    def __init__(self, budget: _Budget, a: Sequence[str], b: Sequence[str], autojunk: bool):
        self.budget = budget
        super().__init__(None, a, b, autojunk)

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> Any:
        # An upper bound of the pairs the search visits: every position of b holding a[i].
        b2j: dict[str, list[int]] = self.b2j  # type: ignore[attr-defined]
        items: Sequence[str] = self.a  # type: ignore[attr-defined]
        cost = sum(len(b2j.get(item, ())) for item in items[alo:ahi]) + 1
        self.budget.left -= cost
        if self.budget.left < 0:
            self.budget.exhausted = True
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, bhi)


@dataclass(frozen=True)
class _Word:
    text: str
    section: str | None


def _paragraphs(document: Document, sections: list[str | None]) -> list[list[_Word]]:
    return [
        [_Word(w, section) for w in block.text.split()]
        for block, section in zip(document.blocks, sections, strict=True)
    ]


def _key(paragraph: list[_Word]) -> str:
    return " ".join(w.text for w in paragraph)


def diff_documents(old: Document, new: Document) -> TextDiff:
    """Every inserted, deleted and replaced passage between ``old`` and ``new``."""
    from analyser.segment import block_sections

    old_paragraphs = _paragraphs(old, block_sections(old))
    new_paragraphs = _paragraphs(new, block_sections(new))
    return diff_paragraphs(old_paragraphs, new_paragraphs)


def diff_texts(
    old: Sequence[tuple[str, str | None]], new: Sequence[tuple[str, str | None]]
) -> TextDiff:
    """Like :func:`diff_documents`, from (paragraph text, article) pairs: for callers that kept
    the text but not the :class:`Document` (the web server stores each upload's text)."""
    return diff_paragraphs(
        [[_Word(w, section) for w in text.split()] for text, section in old],
        [[_Word(w, section) for w in text.split()] for text, section in new],
    )


def diff_paragraphs(old: list[list[_Word]], new: list[list[_Word]]) -> TextDiff:
    budget = _Budget(WORK_BUDGET)
    old_keys, new_keys = [_key(p) for p in old], [_key(p) for p in new]
    opcodes: Sequence[tuple[str, int, int, int, int]]
    try:
        opcodes = _BoundedMatcher(budget, old_keys, new_keys, False).get_opcodes()
    except _OverBudget:
        opcodes = _coarse_opcodes(old_keys, new_keys)
    changes: list[TextChange] = []
    common = 0
    for tag, i1, i2, j1, j2 in opcodes:
        old_words = [w for p in old[i1:i2] for w in p]
        new_words = [w for p in new[j1:j2] for w in p]
        if tag == "equal":
            common += len(old_words)
            continue
        found, shared = _word_changes(old_words, new_words, budget)
        changes.extend(found)
        common += shared
    total = sum(len(p) for p in old) + sum(len(p) for p in new)
    similarity = 2 * common / total if total else 1.0
    return TextDiff(changes, round(similarity, 3), complete=not budget.exhausted)


def _coarse_opcodes(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Opcodes without alignment: the common start and end equal, all between replaced."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    ops = [("equal", 0, start, 0, start)] if start else []
    if start < len(old) - end or start < len(new) - end:
        ops.append(("replace", start, len(old) - end, start, len(new) - end))
    if end:
        ops.append(("equal", len(old) - end, len(old), len(new) - end, len(new)))
    return ops


def _word_changes(
    old: list[_Word], new: list[_Word], budget: _Budget
) -> tuple[list[TextChange], int]:
    """Word-level changes inside paragraphs that differ, and how many words they share."""
    if not old or not new:
        return ([_change(old, new, 0, len(old), 0, len(new))] if old or new else []), 0
    old_texts, new_texts = [w.text for w in old], [w.text for w in new]
    opcodes: Sequence[tuple[str, int, int, int, int]]
    try:
        if budget.exhausted:
            raise _OverBudget
        opcodes = _BoundedMatcher(budget, old_texts, new_texts, True).get_opcodes()
    except _OverBudget:
        opcodes = _coarse_opcodes(old_texts, new_texts)
    shared = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal")
    # Merge changes separated by a short unchanged stretch.
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        if spans and i1 - spans[-1][1] <= _MERGE_GAP and j1 - spans[-1][3] <= _MERGE_GAP:
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    return [_change(old, new, *span) for span in spans], shared


def _change(old: list[_Word], new: list[_Word], i1: int, i2: int, j1: int, j2: int) -> TextChange:
    removed, added = old[i1:i2], new[j1:j2]
    kind: ChangeKind = "replaced" if removed and added else "deleted" if removed else "inserted"
    # Label with the new version's article, except for a pure deletion.
    anchor = (added or removed)[0]
    if kind == "deleted":
        before, after = old[max(0, i1 - _CONTEXT_WORDS) : i1], old[i2 : i2 + _CONTEXT_WORDS]
    else:
        before, after = new[max(0, j1 - _CONTEXT_WORDS) : j1], new[j2 : j2 + _CONTEXT_WORDS]
    return TextChange(
        kind,
        " ".join(w.text for w in removed),
        " ".join(w.text for w in added),
        anchor.section,
        " ".join(w.text for w in before),
        " ".join(w.text for w in after),
    )
