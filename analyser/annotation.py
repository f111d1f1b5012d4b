"""Independent annotation of the clause corpus: agreement between annotators and adjudication.

A model trained and scored on one writer's labels learns that writer's habits, and its
cross-validated F1 is capped by how consistently the borderline passages were labelled. So
every passage is labelled by its writer (``first``) and, blind, by a second annotator
(``second``); where they differ, a third annotator labels it blind (``third``) and the
majority holds. ``training/annotations/`` keeps all three so the adjudicated labels in
``training/*.jsonl`` and the agreement figures in ``AGREEMENT.md`` can be rebuilt and checked.

A passage's annotation is, per clause, one of ``none``/``partial``/``core`` plus the set of
clauses it weakens (concerns).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyser.corpus import Passage, dedup_key, parse_labels
from analyser.errors import PatternError
from analyser.patterns import CLAUSE_IDS, patterns_dir

ROUNDS = ("first", "second", "third")


@dataclass(frozen=True)
class Annotation:
    labels: dict[str, str]
    concerns: frozenset[str] = field(default_factory=frozenset)

    def value(self, clause: str) -> str:
        return self.labels.get(clause, "none")

    def to_json(self, key: str) -> str:
        return json.dumps(
            {
                "key": key,
                "labels": dict(sorted(self.labels.items())),
                "concerns": sorted(self.concerns),
            },
            ensure_ascii=False,
        )


def passage_key(text: str) -> str:
    """Stable id of a passage: its text with case and spacing normalised (as the corpus
    deduplicates), so reordering or re-wrapping the training files does not orphan a label."""
    return hashlib.sha256(dedup_key(text).encode()).hexdigest()[:16]


def annotation_of(passage: Passage) -> Annotation:
    return Annotation(dict(passage.labels), frozenset(passage.concerns))


def annotations_dir() -> Path:
    return patterns_dir() / "training" / "annotations"


def load_round(path: Path) -> dict[str, Annotation]:
    """One annotation round (JSONL of key, labels, concerns), validated like the corpus."""
    result: dict[str, Annotation] = {}
    if not path.exists():
        return result
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            if not isinstance(raw.get("key"), str):
                raise PatternError(f"line {number}: annotation without a 'key'", str(path))
            labels, concerns = parse_labels(raw, f"line {number}", path)
            result[raw["key"]] = Annotation(labels, frozenset(concerns))
    return result


def load_rounds(directory: Path | None = None) -> dict[str, dict[str, Annotation]]:
    directory = directory or annotations_dir()
    return {name: load_round(directory / f"{name}.jsonl") for name in ROUNDS}


def disagree(a: Annotation, b: Annotation) -> bool:
    """Whether two annotations differ anywhere, so that a third opinion is needed."""
    return a.labels != b.labels or a.concerns != b.concerns


def adjudicate(votes: list[Annotation]) -> Annotation:
    """Majority per clause. Two agreeing votes win; with three different values (none,
    partial, core) the middle one, partial, is the fair reading. Concerns: a clause is a
    concern when most votes say so."""
    if len(votes) == 1 or (len(votes) == 2 and not disagree(*votes)):
        return votes[0]
    if len(votes) < 3:
        raise ValueError("two annotations disagree and there is no third to break the tie")
    labels: dict[str, str] = {}
    for clause in CLAUSE_IDS:
        counts = Counter(vote.value(clause) for vote in votes)
        value, n = counts.most_common(1)[0]
        if n == 1:
            value = "partial"
        if value != "none":
            labels[clause] = value
    concerns = frozenset(
        c for c in CLAUSE_IDS if sum(c in vote.concerns for vote in votes) * 2 > len(votes)
    )
    return Annotation(labels, concerns)


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """Agreement beyond chance between two annotators over the same items."""
    n = len(first)
    if n == 0 or n != len(second):
        raise ValueError("kappa needs two equally long, non-empty lists")
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    pa, pb = Counter(first), Counter(second)
    expected = sum(pa[v] * pb[v] for v in set(pa) | set(pb)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


@dataclass
class ClauseAgreement:
    clause: str
    observed: float  # share of passages given the same value (none/partial/core)
    kappa: float  # Cohen's kappa on none/partial/core
    kappa_any: float  # Cohen's kappa on "there" (partial or core) vs none
    f1_any: float  # F1 of one annotator against the other on "there" (symmetric): the
    # ceiling a model scored against one annotator's labels can be expected to reach


def agreement(first: dict[str, Annotation], second: dict[str, Annotation]) -> list[ClauseAgreement]:
    """Per-clause agreement over the passages both rounds labelled."""
    keys = sorted(first.keys() & second.keys())
    result = []
    for clause in CLAUSE_IDS:
        a = [first[k].value(clause) for k in keys]
        b = [second[k].value(clause) for k in keys]
        observed = sum(x == y for x, y in zip(a, b, strict=True)) / len(keys)
        there_a = [x != "none" for x in a]
        there_b = [y != "none" for y in b]
        both_there = sum(x and y for x, y in zip(there_a, there_b, strict=True))
        either = sum(there_a) + sum(there_b)
        result.append(
            ClauseAgreement(
                clause,
                observed,
                cohen_kappa(a, b),
                cohen_kappa(there_a, there_b),
                2 * both_there / either if either else 1.0,
            )
        )
    return result


def adjudicated(
    passages: list[Passage], rounds: dict[str, dict[str, Annotation]]
) -> dict[str, Annotation]:
    """The label each passage should carry given every round; passages without a second
    annotation keep their writer's label. Raises if a disagreement has no third vote."""
    result = {}
    for passage in passages:
        key = passage_key(passage.text)
        votes = [rounds[name][key] for name in ROUNDS if key in rounds.get(name, {})] or [
            annotation_of(passage)
        ]
        try:
            result[key] = adjudicate(votes)
        except ValueError as e:
            raise PatternError(f"{e}: {passage.text[:60]!r}", passage.origin) from e
    return result


def render_agreement(rounds: dict[str, dict[str, Annotation]], final: dict[str, Annotation]) -> str:
    """AGREEMENT.md: how often the blind second annotator agreed with the writer, per clause,
    and how many labels the adjudication changed. Rebuilt by ``python -m analyser.annotation``;
    a test checks it is current."""
    first, second, third = (rounds[name] for name in ROUNDS)
    both = first.keys() & second.keys()
    split = sum(disagree(first[k], second[k]) for k in both)
    changed = sum(final[k] != first[k] for k in both if k in final)
    lines = [
        "# Agreement between annotators",
        "",
        "Generated by `python -m analyser.annotation --write` from `annotations/`; do not edit.",
        "The rules annotators follow are in `GUIDELINES.md`.",
        "",
        f"- Passages labelled by their writer and, blind, by a second annotator: {len(both)}",
        f"- Passages where the two differ anywhere, sent to a blind third annotator: {split} "
        f"(third annotations: {len(third)})",
        f"- Passages whose adjudicated label differs from the writer's: {changed}",
        "",
        "| clause | same value | kappa (none/partial/core) | kappa (there vs none) | F1 (there) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in agreement(first, second):
        lines.append(
            f"| {row.clause} | {row.observed:.3f} | {row.kappa:.3f} | {row.kappa_any:.3f} "
            f"| {row.f1_any:.3f} |"
        )
    return "\n".join(lines) + "\n"


def rewrite_training_file(path: Path, final: dict[str, Annotation]) -> int:
    """Put the adjudicated labels into a training file, keeping every other field and the
    line order. Returns the number of lines changed."""
    out, changed = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            out.append(line)
            continue
        raw = json.loads(line)
        verdict = final.get(passage_key(raw["text"]))
        if verdict is not None:
            labels = dict(sorted(verdict.labels.items()))
            concerns = sorted(verdict.concerns)
            if labels != (raw.get("labels") or {}) or concerns != sorted(raw.get("concerns") or []):
                raw["labels"], raw["concerns"] = labels, concerns
                changed += 1
                line = json.dumps(raw, ensure_ascii=False)
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Report agreement; with --write, apply the adjudicated labels and rebuild AGREEMENT.md.

    ``--seed-first`` records the labels of newly written passages as the writer's round; run it
    after adding passages and before any other annotator sees them.
    """
    import argparse

    from analyser.corpus import load_passages, training_files

    parser = argparse.ArgumentParser(prog="python -m analyser.annotation")
    parser.add_argument("--write", action="store_true", help="apply labels, rebuild AGREEMENT.md")
    parser.add_argument(
        "--seed-first", action="store_true", help="record the writer labels of new passages"
    )
    args = parser.parse_args(argv)
    passages = load_passages()
    directory = annotations_dir()
    if args.seed_first:
        # Only passages not yet recorded: once adjudicated, a training label is no longer the
        # writer's, so an existing entry must never be overwritten.
        directory.mkdir(parents=True, exist_ok=True)
        recorded = load_round(directory / "first.jsonl")
        with (directory / "first.jsonl").open("a", encoding="utf-8") as fh:
            for p in passages:
                key = passage_key(p.text)
                if key not in recorded:
                    recorded[key] = annotation_of(p)
                    fh.write(recorded[key].to_json(key) + "\n")
        return 0
    rounds = load_rounds(directory)
    final = adjudicated(passages, rounds)
    report = render_agreement(rounds, final)
    print(report)
    if args.write:
        changed = sum(rewrite_training_file(path, final) for path in training_files())
        (patterns_dir() / "training" / "AGREEMENT.md").write_text(report, encoding="utf-8")
        print(f"training lines changed: {changed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
