"""Sentence-level clause classifier: TF-IDF word and character n-grams, one logistic
regression per clause and strength.

Rules miss paraphrases ("the cooperation may be brought to an end if ..."); character
n-grams carry across inflections and Norwegian compounds, where spaCy has no lemmatiser.

scikit-learn fits the model; applying it needs only the vocabularies, IDF weights and
coefficients, so inference uses :class:`NgramSpace` here and never imports scikit-learn
(which costs 0.6 s of every cold start). A test checks both give the same features.

Serialisation is deliberately not pickle: the vocabulary and IDF weights go to JSON and the
coefficients to an ``.npz`` loaded with ``allow_pickle=False``, so loading a model file can
never execute code, and a SHA-256 in the metadata detects a swapped or corrupted file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from analyser.corpus import Passage
from analyser.errors import ModelError

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

MODEL_FORMAT = 1
TARGETS = ("any", "core")  # "any": the passage expresses the clause at all; "core": fully
WORD_FEATURES = 30000
CHAR_FEATURES = 60000
SEED = 20241
C_REGULARISATION = 16.0
CALIBRATION_FOLDS = 3
MIN_PASSAGES_TO_CALIBRATE = 60
LOGIT_SLICE = 2000  # sentences scored at a time (see ClauseClassifier.logits)


def target_vector(passages: list[Passage], clause: str, target: str) -> np.ndarray:
    if target == "any":
        return np.array([clause in p.labels for p in passages], dtype=int)
    return np.array([p.labels.get(clause) == "core" for p in passages], dtype=int)


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


WORD_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _word_ngrams(text: str) -> list[str]:
    tokens = WORD_TOKEN.findall(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _char_wb_ngrams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams inside space-padded words; a word shorter than n counts once whole."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


_WORD_CACHE_LIMIT = 200_000  # distinct words whose character n-grams are kept


@dataclass
class NgramSpace:
    """TF-IDF features over a fixed vocabulary: sublinear term frequency, IDF, L2 norm.

    Speed (issue 18): the character n-grams of ``char_wb`` never cross a word, so each distinct
    word's in-vocabulary n-gram counts are computed once and cached; a batch of texts is then
    a sparse (texts x words) count matrix times the sparse (words x n-grams) matrix of those
    rows, and the weighting is done on the product's arrays by numpy. Same features as the
    per-n-gram loop it replaced and as scikit-learn's (tests/test_classifier.py).
    """

    kind: str  # "word" or "char_wb"
    vocabulary: dict[str, int]
    idf: np.ndarray
    _word_rows: dict[str, tuple[list[int], list[float]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        counts = self._word_counts(texts) if self.kind == "word" else self._char_counts(texts)
        counts.sum_duplicates()
        data = counts.data
        np.log(data, out=data)
        data += 1.0
        data *= self.idf[counts.indices]
        rows = np.repeat(np.arange(len(texts)), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(texts)))
        norms[norms == 0.0] = 1.0
        data /= norms[rows]
        return counts

    def _word_counts(self, texts: list[str]) -> sparse.csr_matrix:
        vocabulary = self.vocabulary
        indptr: list[int] = [0]
        indices: list[int] = []
        for text in texts:
            indices.extend(
                i for g in _word_ngrams(_normalise(text)) if (i := vocabulary.get(g)) is not None
            )
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int32), np.array(indptr)),
            shape=(len(texts), len(vocabulary)),
        )

    def _char_counts(self, texts: list[str]) -> sparse.csr_matrix:
        word_ids: dict[str, int] = {}
        indptr: list[int] = [0]
        columns: list[int] = []
        for text in texts:
            columns.extend(word_ids.setdefault(w, len(word_ids)) for w in text.lower().split())
            indptr.append(len(columns))
        occurrences = sparse.csr_matrix(
            (np.ones(len(columns)), np.array(columns, dtype=np.int32), np.array(indptr)),
            shape=(len(texts), len(word_ids)),
        )
        if len(self._word_rows) > _WORD_CACHE_LIMIT:
            self._word_rows.clear()  # a long-running server must not grow without bound
        rows = [self._word_rows.get(w) or self._char_row(w) for w in word_ids]
        grams = sparse.csr_matrix(
            (
                np.fromiter((c for _, counts in rows for c in counts), dtype=np.float64),
                np.fromiter((i for ids, _ in rows for i in ids), dtype=np.int32),
                np.cumsum([0] + [len(ids) for ids, _ in rows]),
            ),
            shape=(len(word_ids), len(self.vocabulary)),
        )
        return (occurrences @ grams).tocsr()

    def _char_row(self, word: str) -> tuple[list[int], list[float]]:
        """The word's in-vocabulary character n-grams and their counts (cached)."""
        vocabulary = self.vocabulary
        counts = Counter(i for g in _char_wb_ngrams(word) if (i := vocabulary.get(g)) is not None)
        row = (list(counts), [float(c) for c in counts.values()])
        self._word_rows[word] = row
        return row

    @classmethod
    def from_sklearn(cls, kind: str, vectorizer: TfidfVectorizer) -> NgramSpace:
        return cls(kind, dict(vectorizer.vocabulary_), np.asarray(vectorizer.idf_))

    def ordered_vocabulary(self) -> list[str]:
        ordered = [""] * len(self.vocabulary)
        for term, index in self.vocabulary.items():
            ordered[index] = term
        return ordered


def _logistic_regression(C: float) -> LogisticRegression:  # noqa: N803 - scikit-learn's name
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000, random_state=SEED)


def _make_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(
        preprocessor=_normalise,
        ngram_range=(1, 2),
        min_df=1,
        max_features=WORD_FEATURES,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w\w+\b",
        dtype=np.float64,
    )
    char = TfidfVectorizer(
        preprocessor=_normalise,
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=2,
        max_features=CHAR_FEATURES,
        sublinear_tf=True,
        dtype=np.float64,
    )
    return word, char


@dataclass
class ClauseClassifier:
    """Probabilities per clause and target for sentences."""

    word: NgramSpace
    char: NgramSpace
    clauses: tuple[str, ...]
    coef: np.ndarray  # shape (len(clauses) * len(TARGETS), n_features)
    intercept: np.ndarray
    metadata: dict[str, object]
    rule_features: tuple[str, ...] = ()
    calibration: np.ndarray | None = None  # shape (2, outputs): Platt scale and shift

    @classmethod
    def fit(
        cls,
        passages: list[Passage],
        clauses: tuple[str, ...],
        rules: sparse.csr_matrix | None = None,
        rule_features: tuple[str, ...] = (),
        metadata: dict[str, object] | None = None,
    ) -> ClauseClassifier:
        """Fit on passages, then calibrate (Platt scaling on out-of-fold scores).

        ``rules`` holds each passage's rule-hit features (columns named by ``rule_features``),
        or None for a text-only model. Logistic regression trained on rare positives with
        duplicated, rule-blanked rows is under-confident in the middle of the scale; a
        one-dimensional logistic fit of the true labels on held-out scores corrects that, so
        that "0.9" means right nine times in ten.
        """
        from sklearn.model_selection import StratifiedKFold

        model = cls._fit_raw(passages, clauses, rules, rule_features, metadata)
        if len(passages) < MIN_PASSAGES_TO_CALIBRATE:
            return model  # too few to hold any out; probabilities stay uncalibrated
        texts = [p.text for p in passages]
        held_out = np.zeros((len(passages), len(model.intercept)))
        first_label = [min(p.labels) if p.labels else "" for p in passages]
        counts = Counter(first_label)
        strata = [s if counts[s] >= CALIBRATION_FOLDS else "rare" for s in first_label]
        splitter = StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=SEED)
        for train_idx, test_idx in splitter.split(np.zeros(len(passages)), strata):
            fold = cls._fit_raw(
                [passages[i] for i in train_idx],
                clauses,
                rules[train_idx] if rules is not None else None,
                rule_features,
            )
            fold_rules = rules[test_idx] if rules is not None else None
            held_out[test_idx] = fold.logits([texts[i] for i in test_idx], fold_rules)
        scale, shift = [], []
        for column, (clause, target) in enumerate((c, t) for c in clauses for t in TARGETS):
            y = target_vector(passages, clause, target)
            platt = _logistic_regression(C=1e6)
            platt.fit(held_out[:, column : column + 1], y)
            scale.append(float(platt.coef_[0][0]))
            shift.append(float(platt.intercept_[0]))
        model.calibration = np.array([scale, shift])
        return model

    @classmethod
    def _fit_raw(
        cls,
        passages: list[Passage],
        clauses: tuple[str, ...],
        rules: sparse.csr_matrix | None = None,
        rule_features: tuple[str, ...] = (),
        metadata: dict[str, object] | None = None,
    ) -> ClauseClassifier:
        """The uncalibrated model: one logistic regression per clause and target."""
        texts = [p.text for p in passages]
        word_vectorizer, char_vectorizer = _make_vectorizers()
        blocks = [word_vectorizer.fit_transform(texts), char_vectorizer.fit_transform(texts)]
        word = NgramSpace.from_sklearn("word", word_vectorizer)
        char = NgramSpace.from_sklearn("char_wb", char_vectorizer)
        if rule_features:
            if rules is None:
                raise ValueError("rule_features given without the rule matrix")
            blocks.append(rules)
        features = sparse.hstack(blocks).tocsr()
        if rule_features:
            # Rule dropout: every passage also appears with its rule features blanked, so the
            # n-grams must carry the clause on their own. Without it the model learns "no rule
            # fired, so no clause" and misses paraphrases the rules do not know.
            blanked = sparse.hstack(blocks[:2] + [sparse.csr_matrix(blocks[2].shape)]).tocsr()
            features = sparse.vstack([features, blanked]).tocsr()
            passages = passages + passages
        coefs, intercepts = [], []
        for clause in clauses:
            for target in TARGETS:
                y = target_vector(passages, clause, target)
                if y.min() == y.max():
                    raise ModelError(f"no positive and negative examples for {clause}/{target}")
                model = _logistic_regression(C=C_REGULARISATION)
                model.fit(features, y)
                coefs.append(model.coef_[0])
                intercepts.append(model.intercept_[0])
        return cls(
            word,
            char,
            tuple(clauses),
            np.vstack(coefs),
            np.array(intercepts),
            dict(metadata or {}),
            tuple(rule_features),
        )

    def transform(
        self, texts: list[str], rules: sparse.csr_matrix | None = None
    ) -> sparse.csr_matrix:
        blocks = [self.word.transform(texts), self.char.transform(texts)]
        if self.rule_features:
            if rules is None:
                rules = sparse.csr_matrix((len(texts), len(self.rule_features)))
            blocks.append(rules)
        return sparse.hstack(blocks).tocsr()

    def logits(self, texts: list[str], rules: sparse.csr_matrix | None = None) -> np.ndarray:
        """Uncalibrated decision values, one column per clause and target.

        Computed in slices of sentences: every row is independent, and a 1,000-page agreement
        (25,000 sentences) would otherwise hold all its n-gram matrices at once (≈100 MB).
        """
        if len(texts) <= LOGIT_SLICE:
            return np.asarray(self.transform(texts, rules) @ self.coef.T + self.intercept)
        parts = []
        for start in range(0, len(texts), LOGIT_SLICE):
            stop = start + LOGIT_SLICE
            part_rules = rules[start:stop] if rules is not None else None
            features = self.transform(texts[start:stop], part_rules)
            parts.append(np.asarray(features @ self.coef.T + self.intercept))
        return np.vstack(parts)

    def predict(
        self,
        texts: list[str],
        rules: sparse.csr_matrix | None = None,
    ) -> dict[str, dict[str, np.ndarray]]:
        """{clause: {"any": probs, "core": probs}} for each text."""
        if not texts:
            empty = np.zeros(0)
            return {c: {t: empty for t in TARGETS} for c in self.clauses}
        logits = self.logits(texts, rules)
        if self.calibration is not None:
            logits = logits * self.calibration[0] + self.calibration[1]
        probs = 1.0 / (1.0 + np.exp(-logits))
        out: dict[str, dict[str, np.ndarray]] = {}
        for ci, clause in enumerate(self.clauses):
            by_target = {t: probs[:, ci * len(TARGETS) + ti] for ti, t in enumerate(TARGETS)}
            # Two independent regressions can disagree; a clause cannot be fully expressed
            # without being expressed, so P(core) never exceeds P(any).
            by_target["core"] = np.minimum(by_target["core"], by_target["any"])
            out[clause] = by_target
        return out

    # --- persistence -------------------------------------------------------------------
    def save(self, directory: Path, name: str = "clause_classifier") -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        weights = directory / f"{name}.npz"
        _write_npz(
            weights,
            {
                "coef": self.coef.astype(np.float32),
                "intercept": self.intercept,
                "word_idf": self.word.idf,
                "char_idf": self.char.idf,
                "calibration": (
                    self.calibration
                    if self.calibration is not None
                    else np.array([np.ones_like(self.intercept), np.zeros_like(self.intercept)])
                ),
            },
        )
        meta = {
            **self.metadata,
            "format": MODEL_FORMAT,
            "clauses": list(self.clauses),
            "targets": list(TARGETS),
            "rule_features": list(self.rule_features),
            "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
            "word_vocabulary": self.word.ordered_vocabulary(),
            "char_vocabulary": self.char.ordered_vocabulary(),
            "word_params": {"ngram_range": [1, 2], "token_pattern": WORD_TOKEN.pattern},
            "char_params": {"ngram_range": [3, 5], "analyzer": "char_wb"},
        }
        path = directory / f"{name}.json"
        path.write_text(
            json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        return path

    @classmethod
    def load(cls, directory: Path, name: str = "clause_classifier") -> ClauseClassifier:
        meta_path, weights = directory / f"{name}.json", directory / f"{name}.npz"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            blob = weights.read_bytes()
        except (OSError, json.JSONDecodeError) as e:
            raise ModelError(
                f"cannot read the model ({e}) — rebuild it with `analyser train`", str(meta_path)
            ) from e
        if meta.get("format") != MODEL_FORMAT:
            raise ModelError(
                f"model format {meta.get('format')} is not {MODEL_FORMAT}", str(meta_path)
            )
        if hashlib.sha256(blob).hexdigest() != meta.get("weights_sha256"):
            raise ModelError(
                "weights do not match their recorded SHA-256 — file altered or "
                "corrupt; rebuild with `analyser train`",
                str(weights),
            )
        with np.load(weights, allow_pickle=False) as arrays:
            coef, intercept = arrays["coef"].astype(np.float64), arrays["intercept"]
            word_idf, char_idf = arrays["word_idf"], arrays["char_idf"]
            calibration = arrays["calibration"]
        word = NgramSpace("word", {t: i for i, t in enumerate(meta["word_vocabulary"])}, word_idf)
        char = NgramSpace(
            "char_wb", {t: i for i, t in enumerate(meta["char_vocabulary"])}, char_idf
        )
        small_meta = {k: v for k, v in meta.items() if not k.endswith("_vocabulary")}
        return cls(
            word,
            char,
            tuple(meta["clauses"]),
            coef,
            intercept,
            small_meta,
            tuple(meta.get("rule_features", ())),
            calibration,
        )


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed`` but with fixed zip timestamps, so the same training data
    gives the same bytes and the shipped file can be checked against a rebuild."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(info, buffer.getvalue())
