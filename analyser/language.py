"""Guess the language of a document so the right patterns, model wording and report language
are used.

A small function-word profile is enough for legal text (long, formal, full of "shall"/"skal")
and costs nothing at start-up, unlike a statistical language identifier. Japanese and Chinese
are recognised by their scripts, since they have no spaces to count words by.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from analyser.patterns import load_yaml_resource

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_KANA = re.compile("[\u3040-\u30ff]")
_CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")  # kana and the unified ideographs
_NYNORSK_ONLY = {
    "ikkje",
    "frå",
    "eit",
    "kva",
    "dei",
    "vere",
    "berre",
    "partane",
    "avtala",
    "korleis",
    "òg",
    "kvar",
}


@lru_cache(maxsize=1)
def _profiles() -> dict[str, frozenset[str]]:
    raw = load_yaml_resource("languages.yaml")
    return {code: frozenset(words) for code, words in raw.items()}


def detect_language(text: str, sample_chars: int = 20000) -> str:
    """Return an ISO 639-1 code ("en", "nb", "nn", ...); "und" when nothing is recognisable."""
    sample = text[:sample_chars]
    # Counted by the regex engine and map(), not a Python loop per character (issue 18: this
    # runs per block of a document that may mix languages).
    cjk = len(_CJK.findall(sample))
    if cjk >= 10 and cjk > 0.3 * sum(map(str.isalpha, sample)):
        kana = len(_KANA.findall(sample))
        return "ja" if kana > cjk * 0.05 else "zh"
    words = Counter(map(str.lower, _WORD.findall(sample)))
    if not words:
        return "und"
    scores = {code: sum(words[w] for w in vocab) for code, vocab in _profiles().items()}
    best = max(scores, key=lambda code: scores[code])
    if scores[best] == 0:
        return "und"
    if best in {"nb", "nn", "da"}:
        nynorsk = sum(words[w] for w in _NYNORSK_ONLY)
        total = sum(words.values())
        if nynorsk / total > 0.01:
            return "nn"
        if best == "nn":
            return "nb"
    return best


def pipeline_language(code: str) -> str:
    """The spaCy/pattern language for a document language: Norwegian variants share "nb"."""
    if code in {"nb", "nn", "no", "da"}:
        return "nb"
    return "en"
