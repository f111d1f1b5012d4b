"""Build the clause classifier from the labelled corpus, and measure it by cross-validation.

Training is deterministic (fixed seeds, stable corpus order, fixed zip timestamps), so
`analyser train` on the same corpus rebuilds the shipped model byte for byte, and a test can
prove the shipped model is the one the corpus gives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.model_selection import StratifiedKFold

from analyser.classifier import SEED, TARGETS, ClauseClassifier, target_vector
from analyser.corpus import Passage, corpus_hash, load_passages
from analyser.features import passage_rule_matrix, rule_feature_names
from analyser.patterns import CLAUSE_IDS, load_builtin_clauses, patterns_dir

RELIABILITY_BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001)  # last edge: p = 1.0 falls in


def rule_inputs(passages: list[Passage]) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
    """Rule-hit features of the passages under the shipped clause patterns."""
    specs = list(load_builtin_clauses().values())
    names = rule_feature_names(specs)
    matrix = passage_rule_matrix(
        [p.text for p in passages], [p.lang for p in passages], specs, names
    )
    return matrix, names


def patterns_hash() -> str:
    """Fingerprint of the clause patterns: the model learnt their features, so a change to
    them means the model must be rebuilt."""
    digest = hashlib.sha256()
    for path in sorted((patterns_dir() / "clauses").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def train_model(
    output: Path, passages: list[Passage] | None = None
) -> tuple[ClauseClassifier, Path]:
    passages = passages if passages is not None else load_passages()
    rules, names = rule_inputs(passages)
    metadata = {
        "corpus_sha256": corpus_hash(passages),
        "patterns_sha256": patterns_hash(),
        "passages": len(passages),
        "seed": SEED,
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
    }
    model = ClauseClassifier.fit(passages, CLAUSE_IDS, rules, names, metadata)
    return model, model.save(output)


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def prf(truth: np.ndarray, predicted: np.ndarray) -> Scores:
    tp = int(np.sum(truth & predicted))
    fp = int(np.sum(~truth & predicted))
    fn = int(np.sum(truth & ~predicted))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, int(truth.sum()))


@dataclass
class CrossValidation:
    folds: int
    passages: int
    scores: dict[str, dict[str, Scores]] = field(default_factory=dict)
    reliability: list[tuple[float, float, int, float]] = field(default_factory=list)

    def high_confidence_precision(self, threshold: float = 0.9) -> tuple[float, int]:
        """Share of passages scored >= threshold whose label is indeed positive."""
        rows = [r for r in self.reliability if r[0] >= threshold and r[2]]
        n = sum(r[2] for r in rows)
        correct = sum(r[3] * r[2] for r in rows)
        return (correct / n if n else float("nan")), n


def cross_validate(passages: list[Passage] | None = None, folds: int = 5) -> CrossValidation:
    """Out-of-fold predictions for every passage; F1 at 0.5 and a reliability table.

    Folds are stratified on the set of clauses a passage expresses, so every fold sees every
    clause. The reliability table pools all clause/target probabilities: for the passages
    scored in a bin, the share whose label is positive (a calibrated model matches the bin).
    """
    passages = passages if passages is not None else load_passages()
    strata = ["|".join(sorted(p.labels)) or "none" for p in passages]
    counts: dict[str, int] = {}
    for s in strata:
        counts[s] = counts.get(s, 0) + 1
    strata = [s if counts[s] >= folds else "rare" for s in strata]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    oof = {(c, t): np.zeros(len(passages)) for c in CLAUSE_IDS for t in TARGETS}
    rules, names = rule_inputs(passages)
    for train_idx, test_idx in splitter.split(np.zeros(len(passages)), strata):
        model = ClauseClassifier.fit(
            [passages[i] for i in train_idx], CLAUSE_IDS, rules[train_idx], names
        )
        predicted = model.predict([passages[i].text for i in test_idx], rules[test_idx])
        for c in CLAUSE_IDS:
            for t in TARGETS:
                oof[(c, t)][test_idx] = predicted[c][t]
    result = CrossValidation(folds, len(passages))
    all_probs, all_truth = [], []
    for c in CLAUSE_IDS:
        result.scores[c] = {}
        for t in TARGETS:
            truth = target_vector(passages, c, t).astype(bool)
            probs = oof[(c, t)]
            result.scores[c][t] = prf(truth, probs >= 0.5)
            all_probs.append(probs)
            all_truth.append(truth)
    probs, truth = np.concatenate(all_probs), np.concatenate(all_truth)
    for lo, hi in zip(RELIABILITY_BINS[:-1], RELIABILITY_BINS[1:], strict=True):
        in_bin = (probs >= lo) & (probs < hi)
        n = int(in_bin.sum())
        rate = float(truth[in_bin].mean()) if n else float("nan")
        result.reliability.append((lo, min(hi, 1.0), n, rate))
    return result
