"""The gap report: what detection concludes about one document.

These dataclasses are the single source for every output format; ``to_dict`` produces the
JSON of ``shared/report-schema.json`` (schema_version "1"), which other tools read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from analyser.patterns import CLAUSE_IDS

Status = Literal["present", "partial", "missing"]
Severity = Literal["high", "medium", "low"]
Risk = Literal["high", "medium", "low"]
RevisionEffect = Literal["weakened", "removed", "added", "strengthened", "unchanged"]
SCHEMA_VERSION = "1"
FRAMEWORK_CLAUSES = frozenset(CLAUSE_IDS)


@dataclass
class Evidence:
    text: str
    start: int
    end: int
    page: int | None = None
    section: str | None = None
    score: float = 0.0
    element: str | None = None
    # The same passage in the draft's other language (bilingual drafts), shown beside it.
    translation: str | None = None


@dataclass
class ElementResult:
    id: str
    title: str
    found: bool
    core: bool = False


@dataclass
class Concern:
    id: str
    title: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class RevisionEvidence:
    """An inserted or deleted passage that changes a clause."""

    kind: Literal["inserted", "deleted"]
    text: str
    author: str | None = None
    date: str | None = None
    section: str | None = None


@dataclass
class ClauseResult:
    id: str
    title: str
    status: Status
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    elements: list[ElementResult] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    suggestion: str | None = None
    guidance: str | None = None
    # Only when the document has pending tracked changes (DocumentInfo.revisions is set).
    status_before_revisions: Status | None = None
    revision_effect: RevisionEffect | None = None
    revision_evidence: list[RevisionEvidence] = field(default_factory=list)
    # Ids of the red flags that contradict this clause: a clause a HIGH flag contradicts is
    # never shown as a plain present; the renderers show and link the flags beside the status.
    flags: list[str] = field(default_factory=list)


@dataclass
class RevisionSummary:
    insertions: int
    deletions: int
    authors: list[str]
    dates: list[str | None] = field(default_factory=list)


@dataclass
class RedFlag:
    id: str
    title: str
    severity: Severity
    evidence: list[Evidence] = field(default_factory=list)
    why: str | None = None


_SKIPPED_LABELS = {
    "running_header": ("running header", "running headers"),
    "running_footer": ("running footer", "running footers"),
    "page_number": ("page number", "page numbers"),
    "letterhead": ("letterhead line", "letterhead lines"),
    "table_of_contents": ("table of contents", "tables of contents"),
    "other": ("other furniture line", "other furniture lines"),
}


@dataclass
class DocumentInfo:
    name: str
    sha256: str
    format: str
    pages: int | None
    language: str
    characters: int
    languages: dict[str, float] = field(default_factory=dict)  # share of text per language
    revisions: RevisionSummary | None = None
    hidden_text: int = 0  # passages a reader cannot see, ignored in the analysis
    # Page furniture kept out of the analysis, by kind ("running_header": 12, ...).
    skipped: dict[str, int] = field(default_factory=dict)

    def skipped_summary(self) -> str:
        """ "12 running headers, 1 table of contents" for the report header; "" if none."""
        return ", ".join(
            f"{count} {_SKIPPED_LABELS.get(kind, (kind, kind))[count != 1]}"
            for kind, count in self.skipped.items()
        )


@dataclass
class HiddenText:
    """A passage in the file that a reader of the draft cannot see; never evidence, but listed,
    since a clause hidden in a partner's draft deserves an adviser's eye."""

    text: str
    reason: str  # analyser.document.HiddenReason
    page: int | None = None
    section: str | None = None


@dataclass
class Report:
    document: DocumentInfo
    clauses: list[ClauseResult]
    profile: str = "eu-2024"
    red_flags: list[RedFlag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tool_version: str = ""
    model_version: str | None = None
    risk: Risk | None = None  # set by the profile's risk rule after red flags
    hidden: list[HiddenText] = field(default_factory=list)  # see DocumentInfo.hidden_text

    def summary(self) -> dict[str, Any]:
        counts = {
            s: sum(1 for c in self.clauses if c.status == s)
            for s in ("present", "partial", "missing")
        }
        if counts["missing"]:
            verdict = "gaps: required clauses are missing"
        elif counts["partial"]:
            verdict = "incomplete: some clauses lack key elements"
        else:
            verdict = "complete: every required clause is present"
        return {**counts, "verdict": verdict}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "document": asdict(self.document),
            "profile": self.profile,
            "clauses": [asdict(c) for c in self.clauses],
            "red_flags": [asdict(r) for r in self.red_flags],
            "summary": self.summary(),
            "warnings": list(self.warnings),
            "tool_version": self.tool_version,
            "model_version": self.model_version,
        }
        if self.risk is not None:
            data["risk"] = self.risk
        if self.hidden:
            data["hidden_passages"] = [asdict(h) for h in self.hidden]
        document = data["document"]
        if not document["languages"]:
            del document["languages"]
        if not document["skipped"]:
            del document["skipped"]
        if document["revisions"] is None:
            del document["revisions"]
        for clause in data["clauses"]:
            clause["confidence"] = round(float(clause["confidence"]), 3)
            if clause["revision_effect"] is None:  # only reported when there are revisions
                for key in ("status_before_revisions", "revision_effect", "revision_evidence"):
                    del clause[key]
            for ev in clause["evidence"]:
                ev["score"] = round(float(ev["score"]), 3)
        for item in [*data["clauses"], *data["red_flags"]]:
            quotes = [
                *item["evidence"],
                *(e for c in item.get("concerns", []) for e in c["evidence"]),
            ]
            for ev in quotes:
                if ev["translation"] is None:  # only bilingual drafts pair their passages
                    del ev["translation"]
        # The schema allows only the six framework clause ids in "clauses"; an institution's
        # own clauses (custom profiles) go to an added field so other tools still validate.
        extra = [c for c in data["clauses"] if c["id"] not in FRAMEWORK_CLAUSES]
        if extra:
            data["clauses"] = [c for c in data["clauses"] if c["id"] in FRAMEWORK_CLAUSES]
            data["extra_clauses"] = extra
        return data


_STATUSES = ("present", "partial", "missing")
_SEVERITIES = ("high", "medium", "low")


def report_problem(data: Any) -> str | None:
    """What makes ``data`` unusable as a report dictionary (JSON read back), or None.

    Checks the shape every reader of a stored report relies on (compare, checklist, the web
    history), so a hand-edited or foreign JSON file gets one clear line instead of a KeyError
    deep inside a renderer.
    """
    if not isinstance(data, dict):
        return "not a JSON object"
    document = data.get("document")
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        return "'document' must be an object with a 'name'"
    clauses = data.get("clauses")
    if not isinstance(clauses, list):
        return "'clauses' must be a list"
    for i, clause in enumerate([*clauses, *(data.get("extra_clauses") or [])]):
        where = f"clause {i + 1}"
        if not isinstance(clause, dict) or not isinstance(clause.get("id"), str):
            return f"{where} must be an object with an 'id'"
        if clause.get("status") not in _STATUSES:
            return f"{where} ({clause['id']}): status must be one of {', '.join(_STATUSES)}"
        problem = _evidence_problem(clause.get("evidence", []), f"{where} ({clause['id']})")
        if problem:
            return problem
        for key in ("elements", "concerns"):
            items = clause.get(key, [])
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                return f"{where} ({clause['id']}): '{key}' must be a list of objects"
    flags = data.get("red_flags", [])
    if not isinstance(flags, list):
        return "'red_flags' must be a list"
    for i, flag in enumerate(flags):
        if not isinstance(flag, dict) or not isinstance(flag.get("id"), str):
            return f"red flag {i + 1} must be an object with an 'id'"
        if flag.get("severity") not in _SEVERITIES:
            return f"red flag {i + 1}: severity must be one of {', '.join(_SEVERITIES)}"
        problem = _evidence_problem(flag.get("evidence", []), f"red flag {i + 1}")
        if problem:
            return problem
    return None


def _evidence_problem(evidence: Any, where: str) -> str | None:
    if not isinstance(evidence, list):
        return f"{where}: 'evidence' must be a list"
    for ev in evidence:
        if not isinstance(ev, dict) or not isinstance(ev.get("text"), str):
            return f"{where}: every evidence item needs a 'text'"
    return None
