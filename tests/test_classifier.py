"""The clause classifier: safe loading, tamper detection, predictions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from analyser.classifier import ClauseClassifier
from analyser.corpus import Passage
from analyser.errors import ModelError
from analyser.pipeline import MODEL_NAME, models_dir

PASSAGES = [
    Passage(
        "Either Party may terminate this Agreement if the other Party breaches it.",
        "en",
        {"exit_strategy": "core"},
    ),
    Passage(
        "Either Party may terminate this Agreement on six months' notice.",
        "en",
        {"exit_strategy": "partial"},
    ),
    Passage("The Parties shall respect academic freedom.", "en", {"academic_freedom": "core"}),
    Passage("Avtalen kan sies opp ved vesentlig mislighold.", "nb", {"exit_strategy": "core"}),
    Passage("The academic calendar runs from August to June.", "en", {}),
    Passage("This Agreement enters into force on signature.", "en", {}),
]
CLAUSES = ("academic_freedom", "exit_strategy")


def test_classifier_save_load_round_trip(tmp_path: Path) -> None:
    model = ClauseClassifier.fit(PASSAGES, CLAUSES, metadata={"note": "test"})
    model.save(tmp_path)
    loaded = ClauseClassifier.load(tmp_path)
    texts = [p.text for p in PASSAGES]
    for clause in CLAUSES:
        for target in ("any", "core"):
            np.testing.assert_allclose(
                loaded.predict(texts)[clause][target],
                model.predict(texts)[clause][target],
                rtol=1e-5,
            )
    assert loaded.metadata["note"] == "test"


def test_classifier_same_data_same_bytes(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        ClauseClassifier.fit(PASSAGES, CLAUSES).save(tmp_path / sub)
    for suffix in (".json", ".npz"):
        assert (tmp_path / "a" / f"clause_classifier{suffix}").read_bytes() == (
            tmp_path / "b" / f"clause_classifier{suffix}"
        ).read_bytes()


def test_classifier_rejects_altered_weights(tmp_path: Path) -> None:
    shutil.copytree(models_dir(), tmp_path / "m")
    weights = tmp_path / "m" / f"{MODEL_NAME}.npz"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        ClauseClassifier.load(tmp_path / "m")


def test_classifier_rejects_unknown_format(tmp_path: Path) -> None:
    shutil.copytree(models_dir(), tmp_path / "m")
    meta_path = tmp_path / "m" / f"{MODEL_NAME}.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["format"] = 999
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="format"):
        ClauseClassifier.load(tmp_path / "m")


def test_classifier_missing_files_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / f"{MODEL_NAME}.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="analyser train"):
        ClauseClassifier.load(tmp_path)


def test_classifier_weights_file_holds_no_pickles() -> None:
    """The shipped weights load with allow_pickle=False, so loading cannot run code."""
    with np.load(models_dir() / f"{MODEL_NAME}.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        (
            "Either Party may terminate this Agreement with immediate effect if the other Party "
            "commits a material breach of its obligations.",
            "exit_strategy",
        ),
        (
            "The Parties shall uphold academic freedom and the right of researchers to publish.",
            "academic_freedom",
        ),
        (
            "Personal data shall be processed in accordance with the GDPR and deleted after the "
            "project.",
            "data_management",
        ),
        (
            "Partene skal respektere akademisk frihet og forskernes rett til å publisere.",
            "academic_freedom",
        ),
    ],
    ids=["exit-en", "af-en", "dm-en", "af-nb"],
)
def test_classifier_shipped_model_scores_clear_cases(text: str, clause: str) -> None:
    from analyser.features import rule_matrix
    from analyser.patterns import load_builtin_clauses
    from analyser.rules import ClauseMatcher

    model = ClauseClassifier.load(models_dir())
    texts = [text, "The academic calendar runs from August to June."]
    lang = "nb" if "Partene" in text else "en"
    hits = ClauseMatcher(list(load_builtin_clauses().values()), lang).match(texts)
    probs = model.predict(texts, rule_matrix(hits, len(texts), model.rule_features))
    assert probs[clause]["any"][0] > 0.5
    assert probs[clause]["any"][1] < 0.5


def _dev_corpus_sentences() -> list[str]:
    """Sentences of the development-half corpus texts (never the held-out ones)."""
    from analyser.extract import extract
    from analyser.segment import segment

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    labels = corpus / "dev-labels.jsonl"
    if not labels.exists():
        return []
    ids = [json.loads(line)["id"] for line in labels.read_text("utf-8").splitlines() if line]
    return [s.text for i in ids for s in segment(extract(corpus / "texts" / f"{i}.txt")).sentences]


@pytest.mark.parametrize("kind", ["word", "char_wb"], ids=["word", "char_wb"])
def test_classifier_own_tfidf_equals_scikit_learn(kind: str) -> None:
    """Inference skips importing scikit-learn; its features must be the same to the bit."""
    from analyser.classifier import NgramSpace, _make_vectorizers
    from analyser.corpus import load_passages

    texts = [p.text for p in load_passages()[:300]]
    texts += ["", "a", "Æ ø å — § 4.2 (b) non-exclusive   licence\n\tof  Results", "x" * 9]
    word, char = _make_vectorizers()
    vectorizer = word if kind == "word" else char
    expected = vectorizer.fit_transform(texts)
    ours = NgramSpace.from_sklearn(kind, vectorizer).transform(texts)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.toarray(), expected.toarray(), rtol=1e-12, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["word", "char_wb"], ids=["word", "char_wb"])
def test_classifier_shipped_tfidf_equals_scikit_learn_on_dev_corpus(kind: str) -> None:
    """The shipped model's vocabulary and IDF applied to real agreements (the development
    corpus), twice so that the second pass runs from the per-word n-gram cache: the same
    features as scikit-learn's vectorizer given that vocabulary and IDF."""
    from analyser.classifier import _make_vectorizers

    texts = _dev_corpus_sentences()
    if not texts:
        pytest.skip("shared corpus not checked out")
    texts += ["", "a", "x" * 9, "Æ ø å — § 4.2 (b) non-exclusive   licence\n\tof  Results"]
    model = ClauseClassifier.load(models_dir())
    space = model.word if kind == "word" else model.char
    word, char = _make_vectorizers()
    vectorizer = word if kind == "word" else char
    vectorizer.set_params(vocabulary=space.vocabulary, max_features=None, min_df=1)
    vectorizer.idf_ = space.idf
    expected = vectorizer.transform(texts).toarray()
    for _ in range(2):
        ours = space.transform(texts)
        assert ours.shape == expected.shape
        np.testing.assert_allclose(ours.toarray(), expected, rtol=1e-12, atol=1e-12)


def test_classifier_logits_in_slices_equal_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long documents are scored a slice of sentences at a time; rows are independent, so the
    result is the same to the bit as scoring them all at once."""
    import analyser.classifier as classifier_module
    from analyser.features import rule_matrix
    from analyser.patterns import load_builtin_clauses
    from analyser.rules import ClauseMatcher

    model = ClauseClassifier.load(models_dir())
    texts = [p.text for p in PASSAGES] * 5
    hits = ClauseMatcher(list(load_builtin_clauses().values()), "en").match(texts)
    rules = rule_matrix(hits, len(texts), model.rule_features)
    whole = model.logits(texts, rules)
    monkeypatch.setattr(classifier_module, "LOGIT_SLICE", 4)
    sliced = model.logits(texts, rules)
    assert sliced.shape == whole.shape == (len(texts), len(model.intercept))
    assert np.array_equal(sliced, whole)
