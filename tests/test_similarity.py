"""Tests for analyser/similarity.py: versions of one agreement against different agreements."""

from __future__ import annotations

import pytest

from analyser.similarity import RELATED_THRESHOLD, resemblance, sketch
from tests.conftest import SAMPLES


def _text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def test_similarity_identical_text_is_one() -> None:
    text = _text("mou-fjordvik-kilimani.txt")
    assert resemblance(sketch(text), sketch(text)) == 1.0


def test_similarity_a_revised_draft_stays_related() -> None:
    text = _text("mou-fjordvik-kilimani.txt")
    paragraphs = text.split("\n\n")
    revised = "\n\n".join(
        paragraphs[: len(paragraphs) // 2]
        + ["A new article on exit."]
        + paragraphs[len(paragraphs) // 2 + 2 :]
    )
    assert resemblance(sketch(text), sketch(revised)) >= RELATED_THRESHOLD


@pytest.mark.parametrize(
    "other",
    ["rca-vestland-andes.txt", "dsa-hordafjord-lakeshore.txt", "exchange-nordhavn-hanbit.txt"],
    ids=["rca", "dsa", "exchange"],
)
def test_similarity_different_agreements_are_unrelated(other: str) -> None:
    a, b = sketch(_text("mou-fjordvik-kilimani.txt")), sketch(_text(other))
    assert resemblance(a, b) < RELATED_THRESHOLD


def test_similarity_empty_text() -> None:
    assert sketch("") == []
    assert resemblance([], sketch("some words here and more")) == 0.0
