"""Clauses worded without the usual keywords are still found.

The passages in tests/data/paraphrases.jsonl were written separately from the training corpus
and the patterns, each avoiding the obvious keywords of its clause (listed in its "avoid"
field). Each stands in a minimal document beside a neutral sentence.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from analyser.document import Document, join_blocks
from tests.conftest import REPO

PASSAGES = [
    json.loads(line)
    for line in (REPO / "tests" / "data" / "paraphrases.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
FILLER = {
    "en": "This Memorandum of Understanding is concluded between the two universities named above.",
    "nb": "Denne intensjonsavtalen er inngått mellom de to universitetene nevnt ovenfor.",
}
MIN_FOUND_PER_CLAUSE = 8  # of 10 per clause (6 English, 4 Norwegian)


def status_of(analyser, passage: dict, clause: str) -> str:
    text, blocks = join_blocks(
        [
            (FILLER[passage["lang"]], 1, "paragraph", None, None),
            (passage["text"], 1, "paragraph", None, None),
        ]
    )
    report = analyser.analyse_document(Document("p.txt", "p.txt", "0" * 64, "txt", text, blocks))
    return next(c.status for c in report.clauses if c.id == clause)


def test_paraphrases_avoid_their_keywords() -> None:
    for p in PASSAGES:
        lowered = p["text"].lower()
        assert not [w for w in p.get("avoid", []) if w.lower() in lowered], p["text"]


@pytest.fixture(scope="module")
def found(analyser_default) -> dict[str, list[bool]]:
    result: dict[str, list[bool]] = {}
    for p in PASSAGES:
        if p["clause"]:
            result.setdefault(p["clause"], []).append(
                status_of(analyser_default, p, p["clause"]) != "missing"
            )
    return result


CLAUSES = sorted({p["clause"] for p in PASSAGES if p["clause"]})


@pytest.mark.parametrize("clause", CLAUSES, ids=CLAUSES)
def test_paraphrases_found_per_clause(found, clause: str) -> None:
    hits = found[clause]
    assert sum(hits) >= MIN_FOUND_PER_CLAUSE, f"{clause}: found {sum(hits)} of {len(hits)}"


def test_paraphrases_found_overall(found) -> None:
    total = Counter(hit for hits in found.values() for hit in hits)
    assert total[True] / (total[True] + total[False]) >= 0.9


NEAR_MISSES = [p for p in PASSAGES if not p["clause"]]


@pytest.mark.parametrize("passage", NEAR_MISSES, ids=[p["text"][:40] for p in NEAR_MISSES])
def test_paraphrases_near_miss_is_not_present(analyser_default, passage: dict) -> None:
    assert status_of(analyser_default, passage, passage["near_miss_of"]) != "present"
