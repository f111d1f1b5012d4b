"""Training is reproducible and the shipped model is the one the corpus gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyser.corpus import corpus_hash, load_passages
from analyser.patterns import CLAUSE_IDS
from analyser.pipeline import MODEL_NAME, models_dir
from analyser.train import cross_validate, patterns_hash, train_model


@pytest.mark.slow
def test_train_rebuilds_the_shipped_model_byte_for_byte(tmp_path: Path) -> None:
    train_model(tmp_path)
    for suffix in (".json", ".npz"):
        built = (tmp_path / f"{MODEL_NAME}{suffix}").read_bytes()
        shipped = (models_dir() / f"{MODEL_NAME}{suffix}").read_bytes()
        assert built == shipped, (
            f"models/{MODEL_NAME}{suffix} is not what `analyser train` builds from the corpus "
            "and patterns: run `analyser train` and commit the model"
        )


def test_train_shipped_model_records_its_inputs() -> None:
    import json

    meta = json.loads((models_dir() / f"{MODEL_NAME}.json").read_text(encoding="utf-8"))
    assert meta["corpus_sha256"] == corpus_hash(load_passages())
    assert meta["patterns_sha256"] == patterns_hash()
    assert meta["rule_features"], "the model must use the pattern rules as features"


@pytest.mark.slow
def test_train_cross_validation_reports_every_clause() -> None:
    passages = load_passages()[::3]  # a third keeps this quick; the README figures use all
    result = cross_validate(passages, folds=3)
    assert set(result.scores) == set(CLAUSE_IDS)
    for by_target in result.scores.values():
        assert by_target["any"].f1 > 0.5
    assert sum(n for _lo, _hi, n, _rate in result.reliability) == len(passages) * 12


def test_train_corpus_is_large_enough_per_clause() -> None:
    passages = load_passages()
    for clause in CLAUSE_IDS:
        positives = [p for p in passages if clause in p.labels]
        assert len(positives) >= 150, clause
        assert {p.lang for p in positives} >= {"en", "nb"}, clause
    negatives = [p for p in passages if not p.labels]
    assert len(negatives) >= 150
