"""Rule hits as classifier features.

The model sees, beside the n-grams, which clause elements and concerns the pattern rules
found in a passage. That lets it learn how much to trust each rule (a breach-termination
rule is near-certain; a bare "mutual" is weak) instead of a fixed hand-set weight, and lets
concerns and negations pull the score down.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse

from analyser.patterns import ClauseSpec
from analyser.rules import ClauseMatcher, RuleHit

RULE_FEATURE_WEIGHT = 1.0


def rule_feature_names(specs: Iterable[ClauseSpec]) -> tuple[str, ...]:
    names: list[str] = []
    for spec in specs:
        names += [f"{spec.id}:{e.id}" for e in spec.elements]
        names += [f"{spec.id}:concern:{c.id}" for c in spec.concerns]
        names.append(f"{spec.id}:negated")
    return tuple(names)


def hit_feature(hit: RuleHit) -> str:
    if hit.is_concern:
        return f"{hit.clause}:concern:{hit.target}"
    if hit.negated:
        return f"{hit.clause}:negated"
    return f"{hit.clause}:{hit.target}"


def rule_matrix(hits: list[RuleHit], n: int, names: tuple[str, ...]) -> sparse.csr_matrix:
    index = {name: i for i, name in enumerate(names)}
    matrix = sparse.lil_matrix((n, len(names)), dtype=np.float64)
    for hit in hits:
        column = index.get(hit_feature(hit))
        if column is not None:
            matrix[hit.sentence, column] = RULE_FEATURE_WEIGHT
    return matrix.tocsr()


def passage_rule_matrix(
    texts: list[str], langs: list[str], specs: list[ClauseSpec], names: tuple[str, ...]
) -> sparse.csr_matrix:
    """Rule features for training passages, each matched with its own language's patterns."""
    rows: list[sparse.csr_matrix] = []
    order: list[int] = []
    for lang in ("en", "nb"):
        idx = [i for i, code in enumerate(langs) if (code in {"nb", "nn"}) == (lang == "nb")]
        if not idx:
            continue
        matcher = ClauseMatcher(specs, lang)
        hits = matcher.match([texts[i] for i in idx])
        rows.append(rule_matrix(hits, len(idx), names))
        order += idx
    stacked = sparse.vstack(rows).tocsr()
    inverse = np.argsort(np.array(order))
    return stacked[inverse]
