"""The Ctrl-F baseline: what a careful adviser gets by searching each clause's keywords.

Evaluation reports the analyser's figures next to this, measured in the same run, so a
claim of accuracy is always a claim of improvement over the obvious alternative.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analyser.patterns import ClauseSpec
from analyser.report import Status


@lru_cache(maxsize=64)
def _keyword_regex(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for term in terms:
        words = []
        for word in term.split():
            core = re.escape(word.strip("*"))
            lead = r"\w*" if word.startswith("*") else r"\b"
            tail = r"\w*" if word.endswith("*") else r"\b"
            words.append(f"{lead}{core}{tail}")
        parts.append(r"\s+".join(words))
    return re.compile("|".join(parts), re.IGNORECASE)


def keyword_status(text: str, spec: ClauseSpec, lang: str) -> Status:
    """ "present" when any of the clause's keywords for the language occurs, else "missing"."""
    terms = spec.keywords.get(lang) or spec.keywords.get("en") or ()
    if not terms:
        return "missing"
    return "present" if _keyword_regex(tuple(terms)).search(text) else "missing"
