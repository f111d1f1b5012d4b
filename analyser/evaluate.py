"""Measure the analyser against labelled agreements, next to the keyword baseline.

Two label formats are read: the shared corpus's JSONL (one object per document with an
``id`` and a status per clause, "absent" meaning missing) and the samples' YAML
(``samples: {file name: {clause: status}}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from analyser.baseline import keyword_status
from analyser.errors import AnalyserError, PatternError
from analyser.patterns import CLAUSE_IDS
from analyser.pipeline import Analyser
from analyser.segment import opens_clause
from analyser.train import Scores, prf

STATUSES = ("present", "partial", "missing")
_NORMALISE = {"absent": "missing", "present": "present", "partial": "partial", "missing": "missing"}
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".txt", ".md")
MIN_NUMBERED_CLAUSES = 3  # blocks opening a numbered clause for a document to count as numbered


@dataclass
class LabelledDocument:
    key: str
    path: Path
    statuses: dict[str, str]


def read_labels(labels: Path, directory: Path) -> list[LabelledDocument]:
    """Labelled documents found in ``directory``; a label whose file is absent is an error."""
    text = labels.read_text(encoding="utf-8")
    entries: list[tuple[str, dict[str, Any]]] = []
    if labels.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as e:
                    raise PatternError(f"line {number}: invalid JSON ({e.msg})", str(labels)) from e
                entries.append((str(raw["id"]), raw))
    else:
        data = yaml.safe_load(text) or {}
        for name, raw in (data.get("samples") or {}).items():
            entries.append((str(name), raw or {}))
    documents = []
    for key, raw in entries:
        path = _find(directory, key)
        if path is None:
            raise PatternError(f"no document for label {key!r} in {directory}", str(labels))
        statuses = {}
        for clause in CLAUSE_IDS:
            value = raw.get(clause)
            if value is None:
                continue
            if value not in _NORMALISE:
                raise PatternError(f"{key}: bad status {value!r} for {clause}", str(labels))
            statuses[clause] = _NORMALISE[value]
        documents.append(LabelledDocument(key, path, statuses))
    return documents


def _find(directory: Path, key: str) -> Path | None:
    direct = directory / key
    if direct.is_file():
        return direct
    for suffix in DOCUMENT_SUFFIXES:
        candidate = directory / f"{key}{suffix}"
        if candidate.is_file():
            return candidate
    return None


@dataclass
class MethodScores:
    presence: dict[str, Scores] = field(default_factory=dict)
    accuracy: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    @property
    def macro_f1(self) -> float:
        return float(np.mean([s.f1 for s in self.presence.values()])) if self.presence else 0.0

    @property
    def mean_accuracy(self) -> float:
        return float(np.mean(list(self.accuracy.values()))) if self.accuracy else 0.0


@dataclass
class Evaluation:
    documents: list[str]
    languages: dict[str, str]
    analyser: MethodScores
    baseline: MethodScores
    errors: dict[str, str]
    evidence_checked: int
    evidence_not_verbatim: list[str]
    predictions: dict[str, dict[str, str]]
    truth: dict[str, dict[str, str]]
    # Evidence quotes with neither page nor section, overall and in documents whose clauses
    # are numbered (where a reader can expect a clause number).
    evidence_unlocated: int = 0
    numbered_evidence: int = 0
    numbered_unlocated: int = 0

    @property
    def unlocated_share(self) -> float:
        return self.evidence_unlocated / self.evidence_checked if self.evidence_checked else 0.0

    @property
    def numbered_unlocated_share(self) -> float:
        return self.numbered_unlocated / self.numbered_evidence if self.numbered_evidence else 0.0


def _score(truth: dict[str, dict[str, str]], predicted: dict[str, dict[str, str]]) -> MethodScores:
    scores = MethodScores()
    for clause in CLAUSE_IDS:
        keys = [k for k in truth if clause in truth[k] and k in predicted]
        if not keys:
            continue
        t = np.array([truth[k][clause] for k in keys])
        p = np.array([predicted[k][clause] for k in keys])
        scores.presence[clause] = prf(t != "missing", p != "missing")
        scores.accuracy[clause] = float(np.mean(t == p))
        scores.confusion[clause] = {
            ts: {ps: int(np.sum((t == ts) & (p == ps))) for ps in STATUSES} for ts in STATUSES
        }
    return scores


def evaluate(
    directory: Path,
    labels: Path,
    *,
    profile: str | None = None,
    languages: set[str] | None = None,
    use_model: bool = True,
) -> Evaluation:
    from analyser.extract import extract

    analyser = Analyser.for_profile(profile, use_model=use_model)
    specs = {c.id: c for c in analyser.profile.clauses}
    truth: dict[str, dict[str, str]] = {}
    predicted: dict[str, dict[str, str]] = {}
    baseline: dict[str, dict[str, str]] = {}
    langs: dict[str, str] = {}
    errors: dict[str, str] = {}
    checked, not_verbatim = 0, []
    unlocated = numbered_checked = numbered_unlocated = 0
    for item in read_labels(labels, directory):
        try:
            document = extract(item.path)
        except AnalyserError as e:
            errors[item.key] = e.reason
            continue
        report = analyser.analyse_document(document)
        lang = report.document.language
        if languages and lang not in languages:
            continue
        langs[item.key] = lang
        truth[item.key] = item.statuses
        predicted[item.key] = {c.id: c.status for c in report.clauses}
        pattern_lang = "nb" if lang in {"nb", "nn", "da"} else "en"
        baseline[item.key] = {
            cid: keyword_status(document.text, spec, pattern_lang) for cid, spec in specs.items()
        }
        numbered = sum(opens_clause(b) for b in document.blocks) >= MIN_NUMBERED_CLAUSES
        for clause in report.clauses:
            for ev in clause.evidence:
                checked += 1
                if document.text[ev.start : ev.end] != ev.text:
                    not_verbatim.append(f"{item.key}/{clause.id}")
                lost = ev.page is None and not ev.section
                unlocated += lost
                numbered_checked += numbered
                numbered_unlocated += numbered and lost
    return Evaluation(
        sorted(truth),
        langs,
        _score(truth, predicted),
        _score(truth, baseline),
        errors,
        checked,
        not_verbatim,
        predicted,
        truth,
        unlocated,
        numbered_checked,
        numbered_unlocated,
    )


def evaluation_to_dict(ev: Evaluation) -> dict[str, Any]:
    def method(m: MethodScores) -> dict[str, Any]:
        return {
            "macro_f1": round(m.macro_f1, 4),
            "mean_status_accuracy": round(m.mean_accuracy, 4),
            "clauses": {
                c: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                    "status_accuracy": round(m.accuracy[c], 4),
                    "confusion": m.confusion[c],
                }
                for c, s in m.presence.items()
            },
        }

    return {
        "documents": len(ev.documents),
        "languages": ev.languages,
        "analyser": method(ev.analyser),
        "keyword_baseline": method(ev.baseline),
        "errors": ev.errors,
        "evidence_quotes_checked": ev.evidence_checked,
        "evidence_quotes_not_verbatim": ev.evidence_not_verbatim,
        "evidence_quotes_without_location": ev.evidence_unlocated,
        "evidence_quotes_without_location_numbered_documents": [
            ev.numbered_unlocated,
            ev.numbered_evidence,
        ],
        "predictions": ev.predictions,
        "truth": ev.truth,
    }


def format_confusion(ev: Evaluation) -> list[str]:
    """Per-clause 3-way confusion of the analyser beside the keyword baseline's: where the
    status errors are (present<->partial, partial<->missing) matters more than their number."""
    head = "  ".join(f"{s[:4]:>4}" for s in STATUSES)
    lines = [
        "== 3-way confusion per clause (rows: truth; columns: predicted present/partial/missing)",
        f"{'clause':<20} {'truth':<8} {'analyser':^16}    {'keyword baseline':^16}",
        f"{'':<20} {'':<8} {head}    {head}",
    ]
    for clause, table in ev.analyser.confusion.items():
        base = ev.baseline.confusion.get(clause, {})
        for i, truth in enumerate(STATUSES):
            ours = "  ".join(f"{table[truth][p]:4d}" for p in STATUSES)
            theirs = "  ".join(f"{base.get(truth, {}).get(p, 0):4d}" for p in STATUSES)
            lines.append(f"{clause if i == 0 else '':<20} {truth:<8} {ours}    {theirs}")
    return lines


def format_evaluation(ev: Evaluation) -> str:
    lines = [
        f"Documents: {len(ev.documents)}  ("
        + ", ".join(
            f"{lang}: {sum(1 for v in ev.languages.values() if v == lang)}"
            for lang in sorted(set(ev.languages.values()))
        )
        + ")"
    ]
    for name, m in (("analyser", ev.analyser), ("keyword baseline", ev.baseline)):
        lines += [
            "",
            f"== {name}: there (present or partial) vs missing; 3-way status accuracy",
            f"{'clause':<20} {'P':>6} {'R':>6} {'F1':>6} {'n':>4} {'acc':>6}",
        ]
        for clause, s in m.presence.items():
            lines.append(
                f"{clause:<20} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f} "
                f"{s.support:4d} {m.accuracy[clause]:6.2f}"
            )
        lines.append(
            f"{'macro':<20} {'':>6} {'':>6} {m.macro_f1:6.2f} {'':>4} {m.mean_accuracy:6.2f}"
        )
    lines += ["", *format_confusion(ev)]
    gain_f1 = ev.analyser.macro_f1 - ev.baseline.macro_f1
    gain_acc = ev.analyser.mean_accuracy - ev.baseline.mean_accuracy
    lines += [
        "",
        f"Gain over baseline: macro-F1 {gain_f1:+.2f}, status accuracy {gain_acc:+.2f}",
        f"Evidence quotes verbatim: {ev.evidence_checked - len(ev.evidence_not_verbatim)}"
        f"/{ev.evidence_checked}",
        f"Evidence quotes without page or section: {ev.evidence_unlocated}/{ev.evidence_checked}"
        f" ({ev.unlocated_share:.0%}); in documents with numbered clauses: "
        f"{ev.numbered_unlocated}/{ev.numbered_evidence} ({ev.numbered_unlocated_share:.0%})",
    ]
    for key, reason in ev.errors.items():
        lines.append(f"Unreadable: {key}: {reason}")
    return "\n".join(lines)
