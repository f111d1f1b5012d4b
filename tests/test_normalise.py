"""Normalisation for matching: invisible characters, NFKC and homoglyphs cannot hide a word."""

from __future__ import annotations

import pytest

from analyser.document import Document, join_blocks
from analyser.normalise import normalise
from analyser.pipeline import Analyser

_CLEAN = "No Party shall publish results without the prior written approval of the other Party."


@pytest.mark.parametrize(
    ("text", "expected", "folded", "invisible"),
    [
        ("appro\u200bval", "approval", 0, 1),
        ("appro\u00adval", "approval", 0, 0),  # Word's optional hyphen: ordinary, no warning
        ("\u0430pproval of the Party", "approval of the Party", 1, 0),  # Cyrillic а
        ("\u0391pproval", "Approval", 1, 0),  # Greek capital alpha
        ("\ufb01nal data", "final data", 0, 0),  # ligature ﬁ (NFKC)
        ("Artikkel \uff13", "Artikkel 3", 0, 0),  # full-width digit (NFKC)
        ("Стороны обязуются", "Стороны обязуются", 0, 0),  # a Russian sentence stays Russian
        ("ordinary text", "ordinary text", 0, 0),
    ],
    ids=[
        "zero-width-space",
        "soft-hyphen",
        "cyrillic-a",
        "greek-alpha",
        "ligature",
        "full-width",
        "russian-untouched",
        "ascii",
    ],
)
def test_normalise_text(text: str, expected: str, folded: int, invisible: int) -> None:
    result, counts = normalise(text)
    assert (result, counts.folded, counts.invisible_in_words) == (expected, folded, invisible)


def _report(sentence: str):  # type: ignore[no-untyped-def]
    text, blocks = join_blocks(
        [
            ("Article 5 – Publication", 1, "heading", None, None),
            (sentence, 1, "paragraph", None, None),
        ]
    )
    document = Document("t.txt", "t.txt", "0" * 64, "txt", text, blocks)
    return Analyser.for_profile(None).analyse_document(document)


@pytest.mark.parametrize(
    "disguised",
    [
        _CLEAN.replace("approval", "appro\u200bval"),
        _CLEAN.replace("approval", "appro\u00adval"),
        _CLEAN.replace("approval", "\u0430ppr\u043evаl"),  # Cyrillic а, о, а
    ],
    ids=["zero-width-space", "soft-hyphen", "cyrillic-homoglyphs"],
)
def test_normalise_disguised_approval_still_raises_the_red_flag(disguised: str) -> None:
    report = _report(disguised)
    flags = {f.id: f for f in report.red_flags}
    assert "publication_approval" in flags
    assert flags["publication_approval"].severity == "high"
    quote = flags["publication_approval"].evidence[0].text
    assert quote == disguised  # the quote is what the file holds, not the normalised text


def test_normalise_homoglyphs_are_warned_about() -> None:
    report = _report(_CLEAN.replace("approval", "\u0430pproval"))
    assert any("homoglyph" in w for w in report.warnings)
    assert not any("homoglyph" in w for w in _report(_CLEAN).warnings)


# Entries of clause_patterns/confusables.yaml that depart from TR39 on purpose, with the
# reason given in that file.
TR39_DEPARTURES = {"\u04cf": "l"}


def _tr39_prototypes(char: str) -> set[str]:
    """What Unicode's confusables.txt says ``char`` is confusable with (one-character targets)."""
    import json
    from importlib.resources import files

    table = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text())
    return {entry["c"] for entry in table.get(char, []) if len(entry["c"]) == 1}


def test_normalise_confusables_agree_with_unicode_tr39() -> None:
    """Every homoglyph folds to the Latin letter TR39 names for it, or to a letter TR39 itself
    takes for that one (capital I, whose skeleton is "l"): the table was typed by hand."""
    from analyser.normalise import confusables

    disagreements = {}
    for char, latin in confusables().items():
        prototypes = _tr39_prototypes(char)
        same_skeleton = prototypes & (_tr39_prototypes(latin) | {latin})
        if not same_skeleton and TR39_DEPARTURES.get(char) != latin:
            disagreements[f"U+{ord(char):04X}"] = (latin, sorted(prototypes))
    assert disagreements == {}
    assert len(confusables()) >= 50
