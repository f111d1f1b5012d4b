"""Stored report JSON back to :class:`~analyser.report.Report`.

The database keeps ``Report.to_dict()`` (the schema other tools read), so the downloads
rebuild the dataclasses to go through :mod:`analyser.render` like the CLI does. Fields added to
the schema later are ignored rather than breaking old rows.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from analyser.report import (
    ClauseResult,
    Concern,
    DocumentInfo,
    ElementResult,
    Evidence,
    RedFlag,
    Report,
    RevisionEvidence,
    RevisionSummary,
)

T = TypeVar("T")


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
            revision_evidence=[
                _build(RevisionEvidence, r) for r in c.get("revision_evidence", []) or []
            ],
        )
        for c in data["clauses"]
    ]
    flags = [
        _build(RedFlag, f, evidence=_evidence(f.get("evidence"))) for f in data.get("red_flags", [])
    ]
    return _build(
        Report,
        data,
        document=_build(
            DocumentInfo,
            data["document"],
            revisions=(
                _build(RevisionSummary, data["document"]["revisions"])
                if data["document"].get("revisions")
                else None
            ),
        ),
        clauses=clauses,
        red_flags=flags,
        warnings=list(data.get("warnings", [])),
    )
