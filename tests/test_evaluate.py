"""`analyser evaluate`: label formats, figures, and the keyword baseline beside them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analyser.cli import main
from analyser.errors import PatternError
from analyser.evaluate import read_labels
from tests.conftest import SAMPLES, SHARED

CORPUS = SHARED / "corpus"


def test_evaluate_reads_yaml_labels() -> None:
    docs = read_labels(SAMPLES / "labels.yaml", SAMPLES)
    assert len(docs) >= 8
    assert all(d.path.is_file() and len(d.statuses) == 6 for d in docs)


def test_evaluate_reads_jsonl_labels_and_maps_absent(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Either party may terminate.", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"id": "a", "exit_strategy": "partial", "ipr": "absent"}) + "\n")
    (doc,) = read_labels(labels, tmp_path)
    assert doc.statuses == {"exit_strategy": "partial", "ipr": "missing"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "nope", "ipr": "present"}\n', "no document"),
        ('{"id": "a", "ipr": "maybe"}\n', "bad status"),
        ("{broken\n", "line 1"),
    ],
    ids=["unknown-document", "bad-status", "bad-json"],
)
def test_evaluate_bad_labels_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(content, encoding="utf-8")
    with pytest.raises(PatternError, match=message):
        read_labels(labels, tmp_path)


def test_evaluate_samples_prints_figures_and_baseline(runner) -> None:
    result = runner.invoke(
        main, ["evaluate", str(SAMPLES), "--labels", str(SAMPLES / "labels.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "== analyser" in result.output and "== keyword baseline" in result.output
    assert "exit_strategy" in result.output and "macro" in result.output
    assert "Gain over baseline" in result.output
    assert "Evidence quotes without page or section:" in result.output
    # The 3-way confusion per clause, the analyser's beside the baseline's.
    confusion = result.output.split("== 3-way confusion per clause", 1)[1]
    assert "analyser" in confusion and "keyword baseline" in confusion
    for clause in ("fundamental_values", "exit_strategy"):
        row = next(line for line in confusion.splitlines() if line.startswith(clause))
        assert len(row.split()) == 1 + 1 + 3 + 3, row  # clause, truth, 3 + 3 counts


def test_evaluate_json_on_samples_beats_baseline(runner) -> None:
    result = runner.invoke(
        main,
        ["evaluate", str(SAMPLES), "--labels", str(SAMPLES / "labels.yaml"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["evidence_quotes_not_verbatim"] == []
    assert data["evidence_quotes_checked"] > 0
    assert (
        data["analyser"]["mean_status_accuracy"] > data["keyword_baseline"]["mean_status_accuracy"]
    )
    for figures in data["analyser"]["clauses"].values():
        assert set(figures) >= {"precision", "recall", "f1", "status_accuracy", "confusion"}
    # Issue 14.3: at most 1 quote in 10 without page and section where clauses are numbered.
    unlocated, total = data["evidence_quotes_without_location_numbered_documents"]
    assert total > 0 and unlocated <= total / 10


@pytest.mark.slow
def test_evaluate_shared_development_set(runner) -> None:
    """The figures the README states for the shared corpus's development half."""
    labels = CORPUS / "dev-labels.jsonl"
    if not labels.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    result = runner.invoke(
        main,
        [
            "evaluate",
            str(CORPUS / "texts"),
            "--labels",
            str(labels),
            "--languages",
            "en,nb,nn",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    ours, baseline = data["analyser"], data["keyword_baseline"]
    assert ours["macro_f1"] >= 0.95
    assert ours["mean_status_accuracy"] >= 0.92
    assert ours["macro_f1"] - baseline["macro_f1"] >= 0.10
    assert ours["mean_status_accuracy"] - baseline["mean_status_accuracy"] >= 0.10
    assert data["evidence_quotes_not_verbatim"] == []


BOUNDARY = Path(__file__).resolve().parent / "data" / "boundary"


def test_evaluate_boundary_set_is_labelled_and_kept_out_of_training() -> None:
    """The boundary drafts are a test of judgement, never training data."""
    from analyser.corpus import load_passages

    docs = read_labels(BOUNDARY / "labels-writer.jsonl", BOUNDARY)
    assert len(docs) >= 40 and all(len(d.statuses) == 6 for d in docs)
    for name in ("labels-a.jsonl", "labels-b.jsonl", "labels-adjudicated.jsonl"):
        other = read_labels(BOUNDARY / name, BOUNDARY)
        assert {d.key for d in other} == {d.key for d in docs}, name
    assert len(list(BOUNDARY.glob("*.txt"))) == len(docs)
    training = " ".join(" ".join(p.text.split()) for p in load_passages())
    for doc in docs:
        text = " ".join(doc.path.read_text(encoding="utf-8").split())
        for sentence in re.split(r"(?<=[.;:])\s+", text):
            sentence = re.sub(r"^\d+(?:\.\d+)*\s+", "", sentence)  # clause numbering
            if len(sentence.split()) >= 6:  # a sentence, not a title
                assert sentence not in training, f"{doc.key}: {sentence!r} is in the training data"


@pytest.mark.slow
def test_evaluate_boundary_set(runner) -> None:
    """Issue 17: 3-way status accuracy >= 0.90 on the boundary drafts (adjudicated labels of
    the writer and two blind annotators)."""
    result = runner.invoke(
        main,
        [
            "evaluate",
            str(BOUNDARY),
            "--labels",
            str(BOUNDARY / "labels-adjudicated.jsonl"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] >= 40
    assert data["analyser"]["mean_status_accuracy"] >= 0.90
