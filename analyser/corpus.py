"""The labelled clause passages the classifier learns from (``clause_patterns/training``).

Each JSONL line is a passage with, per clause it expresses, a strength: "core" (enough for
the clause to be present) or "partial", plus the clauses it weakens (``concerns``). The
passages are validated on load so a typo in a label cannot silently teach the model wrong.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from analyser.errors import PatternError
from analyser.patterns import CLAUSE_IDS, patterns_dir

STRENGTHS = ("core", "partial")
LANGS = ("en", "nb", "nn")


@dataclass(frozen=True)
class Passage:
    text: str
    lang: str
    labels: dict[str, str]
    concerns: tuple[str, ...] = ()
    source: str = "written"
    origin: str = field(default="", compare=False)


def training_files(directory: Path | None = None) -> list[Path]:
    directory = directory or patterns_dir() / "training"
    return sorted(directory.glob("*.jsonl"))


def dedup_key(text: str) -> str:
    """Passages equal but for case and spacing are one passage."""
    return " ".join(text.lower().split())


def load_passages(files: list[Path] | None = None) -> list[Passage]:
    """All passages, in a stable order (files sorted, lines in order), duplicates dropped."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for path in files if files is not None else training_files():
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                passage = _parse(path, number, line)
                key = dedup_key(passage.text)
                if key in seen:
                    continue
                seen.add(key)
                passages.append(passage)
    return passages


def _parse(path: Path, number: int, line: str) -> Passage:
    where = f"line {number}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as e:
        raise PatternError(f"{where}: invalid JSON ({e.msg})", str(path)) from e
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PatternError(f"{where}: 'text' must be a non-empty string", str(path))
    lang = raw.get("lang")
    if lang not in LANGS:
        raise PatternError(f"{where}: lang must be one of {LANGS}, got {lang!r}", str(path))
    labels, concerns = parse_labels(raw, where, path)
    return Passage(
        text.strip(),
        lang,
        labels,
        concerns,
        str(raw.get("source", "written")),
        f"{path.name}:{number}",
    )


def parse_labels(raw: dict, where: str, path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """The labels and concerns of one JSONL line, checked; shared by the training files and
    the annotation rounds, so both reject the same typos."""
    labels = raw.get("labels") or {}
    for clause, strength in labels.items():
        if clause not in CLAUSE_IDS or strength not in STRENGTHS:
            raise PatternError(f"{where}: bad label {clause!r}: {strength!r}", str(path))
    concerns = tuple(raw.get("concerns") or ())
    for clause in concerns:
        if clause not in CLAUSE_IDS:
            raise PatternError(f"{where}: unknown concern clause {clause!r}", str(path))
    return dict(labels), concerns


def corpus_hash(passages: list[Passage]) -> str:
    """Fingerprint of the training data, stored with the model to prove what it was built on."""
    digest = hashlib.sha256()
    for p in passages:
        digest.update(
            json.dumps(
                [p.text, p.lang, sorted(p.labels.items()), list(p.concerns)], ensure_ascii=False
            ).encode()
        )
    return digest.hexdigest()
