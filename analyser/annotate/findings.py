"""The findings of a report as notes to pin on the draft, shared by the DOCX and PDF writers.

One note per finding: the clause status and why (on the clause's best evidence), each concern
(on its passage), each red flag (on its passage), and one summary for the whole draft. A note
without a passage (a missing clause) is pinned where the writer puts the suggested wording.
Wording lives here in one place so a DOCX comment and a PDF note say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from analyser.errors import PatternError
from analyser.patterns import load_yaml_resource
from analyser.report import ClauseResult, Evidence, Report

FindingKind = Literal["summary", "clause", "concern", "red_flag"]
_STATUS = {"present": "present", "partial": "partial", "missing": "missing"}


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    text: str
    evidence: Evidence | None = None  # the passage the note is pinned on
    clause_id: str | None = None


@dataclass(frozen=True)
class Wording:
    author: str
    initials: str
    clause_titles: dict[str, dict[str, str]]
    article_word: dict[str, str]
    signature_block: re.Pattern[str]

    def title(self, clause_id: str, language: str, fallback: str) -> str:
        titles = self.clause_titles.get(language) or self.clause_titles.get("en", {})
        return titles.get(clause_id, fallback)


@lru_cache(maxsize=1)
def wording() -> Wording:
    """``clause_patterns/annotate.yaml``, validated on load."""
    data: Any = load_yaml_resource("annotate.yaml")
    path = "clause_patterns/annotate.yaml"
    try:
        author, initials = str(data["author"]), str(data["initials"])
        titles = {
            str(k): {str(c): str(t) for c, t in v.items()} for k, v in data["clause_titles"].items()
        }
        words = {str(k): str(v) for k, v in data["article_word"].items()}
        signature = re.compile(str(data["signature_block"]), re.IGNORECASE)
    except (KeyError, TypeError, AttributeError, re.error) as e:
        raise PatternError(f"malformed annotate wording: {e}", path) from e
    if not author or "en" not in titles:
        raise PatternError("annotate wording needs an author and English clause titles", path)
    return Wording(author, initials, titles, words, signature)


def _clause_text(clause: ClauseResult) -> str:
    lines = [f"{clause.title}: {_STATUS[clause.status]} (confidence {clause.confidence:.2f})."]
    missing = [e.title for e in clause.elements if not e.found]
    found = [e.title for e in clause.elements if e.found]
    if found:
        lines.append("Found: " + "; ".join(found) + ".")
    if missing and clause.status != "present":
        lines.append("Missing: " + "; ".join(missing) + ".")
    if clause.revision_effect and clause.revision_effect != "unchanged":
        lines.append(
            f"Pending tracked changes: {clause.revision_effect} "
            f"(before them: {clause.status_before_revisions})."
        )
    if clause.status != "present" and clause.suggestion:
        lines.append("Suggested wording inserted as a tracked change.")
    return "\n".join(lines)


def findings(report: Report) -> list[Finding]:
    """Every note for ``report``, summary first, then clause by clause, then red flags."""
    summary = report.summary()
    head = [
        f"Agreement analyser: {summary['verdict']}.",
        f"Present {summary['present']}, partial {summary['partial']}, "
        f"missing {summary['missing']}; red flags {len(report.red_flags)}"
        + (f"; risk {report.risk}." if report.risk else "."),
    ]
    from analyser.revision_effect import revision_sentence

    sentence = revision_sentence(report, "en")  # the comments are worded in English
    if sentence:
        head.append(sentence)
    out = [Finding("summary", "\n".join(head))]
    for clause in report.clauses:
        best = clause.evidence[0] if clause.evidence else None
        out.append(Finding("clause", _clause_text(clause), best, clause.id))
        for concern in clause.concerns:
            where = concern.evidence[0] if concern.evidence else best
            out.append(
                Finding("concern", f"Concern ({clause.title}): {concern.title}.", where, clause.id)
            )
    for flag in report.red_flags:
        text = f"Red flag ({flag.severity}): {flag.title}."
        if flag.why:
            text += f"\n{' '.join(flag.why.split())}"
        out.append(Finding("red_flag", text, flag.evidence[0] if flag.evidence else None))
    return out


def gaps(report: Report) -> list[ClauseResult]:
    """Clauses that get suggested wording: missing or partial, with a suggestion."""
    return [c for c in report.clauses if c.status != "present" and c.suggestion]
