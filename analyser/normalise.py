"""The text that rules, model and red flags read: what a reader sees, not the bytes.

A partner's draft can hide a word from a matcher without changing how it looks: a zero-width
space or a soft hyphen inside "approval", a Cyrillic "а" in place of the Latin one, a
ligature "ﬁ", full-width digits. Each sentence therefore gets a second, normalised text for
matching — Unicode NFKC (UAX #15), invisible characters removed, homoglyphs of Latin letters
folded (Unicode TR39 confusables, the table in ``clause_patterns/confusables.yaml``) — while
the quote shown to the adviser stays the verbatim slice of the document. Normalising per
sentence means no offset ever has to be mapped back.

Folding is limited to where it cannot damage real text: inside a word that mixes Latin with
Cyrillic or Greek letters, or anywhere in a sentence whose letters are mostly Latin. A Greek or
Russian sentence stays as it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from analyser.errors import PatternError
from analyser.patterns import load_yaml_resource, patterns_dir

# Characters with no width that a reader never sees: zero-width space/joiners, word joiner,
# invisible operators, BOM, Mongolian vowel separator, bidi marks and embeddings/isolates.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
SOFT_HYPHEN = "\u00ad"
_REMOVE = {ord(c): None for c in INVISIBLE | {SOFT_HYPHEN}}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class NormalisationCounts:
    """What normalising a document changed, for the report's warning."""

    folded: int = 0  # homoglyphs read as the Latin letter they imitate
    invisible_in_words: int = 0  # zero-width characters inside a word (soft hyphens excluded)

    def add(self, other: NormalisationCounts) -> None:
        self.folded += other.folded
        self.invisible_in_words += other.invisible_in_words

    def warning(self) -> str | None:
        """One line for the report, or None when nothing suspicious was found."""
        parts = []
        if self.folded:
            parts.append(
                f"{self.folded} character(s) from other scripts that imitate Latin letters "
                "(homoglyphs) were read as those letters"
            )
        if self.invisible_in_words:
            parts.append(
                f"{self.invisible_in_words} invisible character(s) inside words were ignored"
            )
        if not parts:
            return None
        return "text normalised for matching: " + "; ".join(parts) + " (quotes are verbatim)"


@lru_cache(maxsize=1)
def confusables() -> dict[str, str]:
    """Homoglyph → Latin letter, from ``clause_patterns/confusables.yaml``, validated."""
    path = str(patterns_dir() / "confusables.yaml")
    data = load_yaml_resource("confusables.yaml")
    if not isinstance(data, dict) or not data:
        raise PatternError("expected a mapping of scripts to character tables", path)
    table: dict[str, str] = {}
    for script, mapping in data.items():
        if not isinstance(mapping, dict):
            raise PatternError(f"'{script}': expected a mapping of characters", path)
        for source, target in mapping.items():
            if not (isinstance(source, str) and isinstance(target, str)):
                raise PatternError(f"'{script}': {source!r} → {target!r} is not text", path)
            if len(source) != 1 or len(target) != 1 or not ("a" <= target.lower() <= "z"):
                raise PatternError(
                    f"'{script}': {source!r} → {target!r} must map one character to one "
                    "Latin letter",
                    path,
                )
            table[source] = target
    return table


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "LATIN" in unicodedata.name(ch, "")


def normalise(text: str) -> tuple[str, NormalisationCounts]:
    """The text to match on, and what had to change to get it."""
    counts = NormalisationCounts()
    if text.isascii():
        return text, counts
    for m in re.finditer(r"[^\W\d_][\u200b-\u200d\u2060\ufeff\u180e]+(?=[^\W\d_])", text):
        counts.invisible_in_words += len(m.group(0)) - 1
    cleaned = unicodedata.normalize("NFKC", text.translate(_REMOVE))
    table = confusables()
    if not any(ch in table for ch in cleaned):
        return cleaned, counts
    letters = [ch for ch in cleaned if ch.isalpha()]
    latin = sum(1 for ch in letters if _is_latin(ch))
    mostly_latin = latin * 2 > len(letters)

    def fold(word: re.Match[str]) -> str:
        token = word.group(0)
        if not any(ch in table for ch in token):
            return token
        if not mostly_latin and not any(_is_latin(ch) for ch in token):
            return token  # a Greek or Cyrillic word in a Greek or Cyrillic sentence
        folded = "".join(table.get(ch, ch) for ch in token)
        counts.folded += sum(1 for a, b in zip(token, folded, strict=True) if a != b)
        return folded

    return _WORD.sub(fold, cleaned), counts
