"""Agreement and adjudication of the corpus annotations, and that the shipped corpus carries
the adjudicated labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyser.annotation import (
    Annotation,
    adjudicate,
    adjudicated,
    agreement,
    cohen_kappa,
    load_round,
    load_rounds,
    passage_key,
    render_agreement,
    rewrite_training_file,
)
from analyser.corpus import load_passages
from analyser.errors import PatternError
from analyser.patterns import patterns_dir


def test_annotation_kappa_matches_a_hand_computed_value() -> None:
    # observed 3/4; chance (2*1 + 2*3) / 16 = 1/2; kappa = (0.75 - 0.5) / 0.5
    assert cohen_kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"]) == pytest.approx(0.5)
    assert cohen_kappa(["a", "b"], ["a", "b"]) == pytest.approx(1.0)


def test_annotation_majority_wins_per_clause() -> None:
    votes = [
        Annotation({"ipr": "core", "reciprocity": "partial"}, frozenset({"ipr"})),
        Annotation({"ipr": "core"}, frozenset()),
        Annotation({"ipr": "partial", "reciprocity": "partial"}, frozenset({"ipr"})),
    ]
    result = adjudicate(votes)
    assert result.labels == {"ipr": "core", "reciprocity": "partial"}
    assert result.concerns == frozenset({"ipr"})


def test_annotation_three_way_split_is_partial() -> None:
    votes = [
        Annotation({"exit_strategy": "core"}),
        Annotation({}),
        Annotation({"exit_strategy": "partial"}),
    ]
    assert adjudicate(votes).labels == {"exit_strategy": "partial"}


def test_annotation_two_disagreeing_votes_need_a_third() -> None:
    with pytest.raises(ValueError, match="third"):
        adjudicate([Annotation({"ipr": "core"}), Annotation({"ipr": "partial"})])
    agreed = Annotation({"ipr": "core"})
    assert adjudicate([agreed, Annotation({"ipr": "core"})]) == agreed


def test_annotation_key_ignores_case_and_spacing() -> None:
    assert passage_key("Either Party may\n terminate.") == passage_key(
        "either party may terminate."
    )


def test_annotation_rejects_an_unknown_clause(tmp_path: Path) -> None:
    path = tmp_path / "second.jsonl"
    path.write_text('{"key": "k", "labels": {"freedom": "core"}, "concerns": []}\n')
    with pytest.raises(PatternError, match="line 1"):
        load_round(path)


def test_annotation_rewrite_keeps_order_and_other_fields(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    rows = [
        {"text": "A one.", "lang": "en", "labels": {"ipr": "core"}, "concerns": [], "source": "s1"},
        {"text": "B two.", "lang": "nb", "labels": {}, "concerns": [], "source": "s2"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    final = {passage_key("B two."): Annotation({"reciprocity": "partial"}, frozenset({"ipr"}))}
    assert rewrite_training_file(path, final) == 1
    back = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert back[0] == rows[0]
    assert back[1] == {**rows[1], "labels": {"reciprocity": "partial"}, "concerns": ["ipr"]}


def test_annotation_shipped_corpus_carries_the_adjudicated_labels() -> None:
    passages = load_passages()
    rounds = load_rounds()
    keys = {passage_key(p.text) for p in passages}
    assert keys <= rounds["first"].keys(), "every passage needs its writer's labels recorded"
    assert keys <= rounds["second"].keys(), "every passage needs a blind second annotation"
    final = adjudicated(passages, rounds)
    wrong = [
        p.origin
        for p in passages
        if final[passage_key(p.text)] != Annotation(dict(p.labels), frozenset(p.concerns))
    ]
    assert not wrong, f"run `python -m analyser.annotation --write`; out of date: {wrong[:5]}"


def test_annotation_agreement_report_is_current() -> None:
    passages = load_passages()
    rounds = load_rounds()
    if not rounds["second"]:
        pytest.fail("the corpus has no second annotation round")
    expected = render_agreement(rounds, adjudicated(passages, rounds))
    shipped = (patterns_dir() / "training" / "AGREEMENT.md").read_text(encoding="utf-8")
    assert shipped == expected, "run `python -m analyser.annotation --write`"


def test_annotation_agreement_is_reported_for_every_clause() -> None:
    first = {"a": Annotation({"ipr": "core"}), "b": Annotation({})}
    second = {"a": Annotation({"ipr": "partial"}), "b": Annotation({})}
    rows = {row.clause: row for row in agreement(first, second)}
    assert rows["ipr"].observed == pytest.approx(0.5)
    assert rows["ipr"].kappa_any == pytest.approx(1.0)
    assert rows["ipr"].f1_any == pytest.approx(1.0)
    first["b"] = Annotation({"ipr": "partial"})  # now one says "there", the other not
    rows = {row.clause: row for row in agreement(first, second)}
    assert rows["ipr"].f1_any == pytest.approx(2 / 3)
