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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from analyser.document import Document

ChangeKind = Literal["inserted", "deleted", "replaced"]
# Below this share of common words two files are not versions of one agreement.
DIFFERENT_AGREEMENTS_BELOW = 0.35
# Changes separated by so few unchanged words read better as one change ("five years" ->
# "fifty months" is one replacement, not two).
_MERGE_GAP = 2
_CONTEXT_WORDS = 6


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

    @property
    def different_agreements(self) -> bool:
        return self.similarity < DIFFERENT_AGREEMENTS_BELOW


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
    matcher = SequenceMatcher(None, [_key(p) for p in old], [_key(p) for p in new], False)
    changes: list[TextChange] = []
    common = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_words = [w for p in old[i1:i2] for w in p]
        new_words = [w for p in new[j1:j2] for w in p]
        if tag == "equal":
            common += len(old_words)
            continue
        found, shared = _word_changes(old_words, new_words)
        changes.extend(found)
        common += shared
    total = sum(len(p) for p in old) + sum(len(p) for p in new)
    similarity = 2 * common / total if total else 1.0
    return TextDiff(changes, round(similarity, 3))


def _word_changes(old: list[_Word], new: list[_Word]) -> tuple[list[TextChange], int]:
    """Word-level changes inside paragraphs that differ, and how many words they share."""
    if not old or not new:
        return ([_change(old, new, 0, len(old), 0, len(new))] if old or new else []), 0
    matcher = SequenceMatcher(None, [w.text for w in old], [w.text for w in new])
    opcodes = [op for op in matcher.get_opcodes()]
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
