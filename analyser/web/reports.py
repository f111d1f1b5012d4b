"""Stored report JSON back to :class:`~analyser.report.Report`, and a two-version comparison.

The database keeps ``Report.to_dict()`` (the schema other tools read), so the downloads
rebuild the dataclasses to go through :mod:`analyser.render` like the CLI does. Fields added to
the schema later are ignored rather than breaking old rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

from analyser.report import (
    ClauseResult,
    Concern,
    DocumentInfo,
    ElementResult,
    Evidence,
    RedFlag,
    Report,
)

T = TypeVar("T")
_RANK = {"missing": 0, "partial": 1, "present": 2}


def _build(cls: type[T], data: dict[str, Any], **nested: Any) -> T:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in names}
    values.update(nested)
    return cls(**values)


def _evidence(items: list[dict[str, Any]] | None) -> list[Evidence]:
    return [_build(Evidence, {"start": 0, "end": 0, **ev}) for ev in items or []]


def report_from_dict(data: dict[str, Any]) -> Report:
    """Inverse of ``Report.to_dict()`` (summary is derived, so it is not read back)."""
    clauses = [
        _build(
            ClauseResult,
            c,
            evidence=_evidence(c.get("evidence")),
            elements=[_build(ElementResult, e) for e in c.get("elements", [])],
            concerns=[
                _build(Concern, k, evidence=_evidence(k.get("evidence")))
                for k in c.get("concerns", []) or []
            ],
        )
        for c in data["clauses"]
    ]
    flags = [
        _build(RedFlag, f, evidence=_evidence(f.get("evidence")))
        for f in data.get("red_flags", [])
    ]
    return _build(
        Report,
        data,
        document=_build(DocumentInfo, data["document"]),
        clauses=clauses,
        red_flags=flags,
        warnings=list(data.get("warnings", [])),
    )


@dataclass
class ClauseChange:
    """One clause in two versions; ``change`` is closed, opened, improved, worsened or same."""

    id: str
    title: str
    before: str
    after: str
    change: str
    evidence_changed: bool
    elements_gained: list[str] = field(default_factory=list)
    elements_lost: list[str] = field(default_factory=list)
    evidence_removed: list[str] = field(default_factory=list)
    evidence_added: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    clauses: list[ClauseChange]
    flags_added: list[str]
    flags_removed: list[str]

    def count(self, change: str) -> int:
        return sum(1 for c in self.clauses if c.change == change)


def _change(before: str, after: str) -> str:
    if before == after:
        return "same"
    if after == "present":
        return "closed"  # a gap (partial or missing) is now fully present
    if before == "present":
        return "opened"  # a present clause lost ground
    return "improved" if _RANK.get(after, 0) > _RANK.get(before, 0) else "worsened"


def _quotes(clause: dict[str, Any] | None) -> list[str]:
    if clause is None:
        return []
    return [" ".join(str(ev.get("text", "")).split()) for ev in clause.get("evidence", [])]


def compare_reports(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Which gaps closed or opened between two versions, and whose evidence changed.

    Evidence is compared by its whitespace-normalised text: offsets shift whenever anything
    earlier in the draft changes, the wording of a clause does not.
    """
    old_by_id = {c["id"]: c for c in old["clauses"]}
    new_by_id = {c["id"]: c for c in new["clauses"]}
    ids = list(new_by_id) + [i for i in old_by_id if i not in new_by_id]
    changes = []
    for cid in ids:
        a, b = old_by_id.get(cid), new_by_id.get(cid)
        before = a["status"] if a else "missing"
        after = b["status"] if b else "missing"
        qa, qb = _quotes(a), _quotes(b)
        found_a = {e["id"]: e for e in (a or {}).get("elements", []) if e.get("found")}
        found_b = {e["id"]: e for e in (b or {}).get("elements", []) if e.get("found")}
        changes.append(
            ClauseChange(
                id=cid,
                title=(b or a or {}).get("title", cid),
                before=before,
                after=after,
                change=_change(before, after),
                evidence_changed=set(qa) != set(qb),
                elements_gained=[e.get("title", i) for i, e in found_b.items() if i not in found_a],
                elements_lost=[e.get("title", i) for i, e in found_a.items() if i not in found_b],
                evidence_removed=[q for q in qa if q not in qb],
                evidence_added=[q for q in qb if q not in qa],
            )
        )
    flags_a = {f["id"]: f.get("title", f["id"]) for f in old.get("red_flags", [])}
    flags_b = {f["id"]: f.get("title", f["id"]) for f in new.get("red_flags", [])}
    return Comparison(
        clauses=changes,
        flags_added=[t for i, t in flags_b.items() if i not in flags_a],
        flags_removed=[t for i, t in flags_a.items() if i not in flags_b],
    )
