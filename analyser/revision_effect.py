"""What a draft's pending tracked changes do to each required clause.

The pipeline judges a redlined DOCX twice: as it reads with every change accepted (the report's
status, what the partner proposes) and as it read with every change rejected (the text the
adviser last agreed to). This stage sets each clause's ``status_before_revisions``,
``revision_effect`` and ``revision_evidence`` from the two judgements, and words the result
in one sentence every report format shows at the top (:func:`revision_sentence`).

The effect follows the status first (present → missing is "removed"), then, for an unchanged
status, the clause's elements and concerns: a redline that deletes the teach-out duty from an
exit clause that stays "partial" still weakens it. Renumbering changes neither, so a redline
that only renumbers articles leaves every clause "unchanged".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyser.document import RevisionMark, Revisions
from analyser.report import (
    ClauseResult,
    Report,
    RevisionEffect,
    RevisionEvidence,
    RevisionSummary,
    Status,
)

STATUS_RANK: dict[str, int] = {"missing": 0, "partial": 1, "present": 2}
# The order clauses are named in the sentence: what costs the adviser most first.
EFFECT_ORDER: tuple[RevisionEffect, ...] = ("removed", "weakened", "added", "strengthened")
# A short change ("may" -> "shall") is matched as whole words; longer ones as substrings.
_SHORT = 12
_ARTICLE = re.compile(
    r"^(?:article|artikkel|clause|section|§|chapter|kapittel)\s*\d+(?:\.\d+)*", re.I
)


def apply_revision_effects(report: Report, before: Report, revisions: Revisions) -> None:
    """Fill the revision fields of ``report`` (after) from ``before`` (every change rejected)."""
    report.document.revisions = RevisionSummary(
        revisions.insertions, revisions.deletions, revisions.authors, revisions.dates
    )
    before_clauses = {c.id: c for c in before.clauses}
    for clause in report.clauses:
        old = before_clauses.get(clause.id)
        old_status: Status = old.status if old else "missing"
        clause.status_before_revisions = old_status
        clause.revision_effect = clause_effect(old, clause)
        if clause.revision_effect != "unchanged":
            clause.revision_evidence = touching_marks(old, clause, revisions.marks)


def clause_effect(before: ClauseResult | None, after: ClauseResult) -> RevisionEffect:
    """removed / weakened / added / strengthened / unchanged, status first, then elements."""
    old_rank = STATUS_RANK[before.status] if before else 0
    new_rank = STATUS_RANK[after.status]
    if new_rank < old_rank:
        return "removed" if after.status == "missing" else "weakened"
    if new_rank > old_rank:
        return "added" if old_rank == 0 else "strengthened"
    if before is None:
        return "unchanged"
    found_before = {e.id for e in before.elements if e.found}
    found_after = {e.id for e in after.elements if e.found}
    concerns_before = {c.id for c in before.concerns}
    concerns_after = {c.id for c in after.concerns}
    gained = len(found_after - found_before) + len(concerns_before - concerns_after)
    lost = len(found_before - found_after) + len(concerns_after - concerns_before)
    if lost > gained:
        return "weakened"
    if gained > lost:
        return "strengthened"
    return "unchanged"


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _overlaps(mark: str, passage: str) -> bool:
    """The change lies inside the passage, or the passage inside the change."""
    if not mark or not passage:
        return False
    if passage in mark:
        return True
    if len(mark) >= _SHORT:
        return mark in passage
    return re.search(rf"(?<!\w){re.escape(mark)}(?!\w)", passage) is not None


def touching_marks(
    before: ClauseResult | None, after: ClauseResult, marks: list[RevisionMark]
) -> list[RevisionEvidence]:
    """Deletions that touch the clause's old evidence and insertions that touch its new one.

    Evidence that reads the same in both judgements is left out: a change can only explain
    what differs.
    """
    old = {_norm(e.text): e.section for e in (before.evidence if before else [])}
    new = {_norm(e.text): e.section for e in after.evidence}
    old_only = {t: s for t, s in old.items() if t not in new}
    new_only = {t: s for t, s in new.items() if t not in old}
    out: list[RevisionEvidence] = []
    for mark in marks:
        passages = old_only if mark.kind == "deleted" else new_only
        text = _norm(mark.text)
        section = next((s for p, s in passages.items() if _overlaps(text, p)), "")
        if section != "":
            out.append(
                RevisionEvidence(mark.kind, mark.text, mark.author, mark.date, section or None)
            )
    return out


@dataclass(frozen=True)
class EffectGroup:
    """Clauses one pending redline affects the same way, for the sentence."""

    effect: RevisionEffect
    clauses: list[tuple[str, str | None]]  # (title, "Article 6" when that article was deleted)


def effect_groups(report: Report) -> list[EffectGroup]:
    """The changed clauses grouped by effect, most costly effect first."""
    groups = []
    for effect in EFFECT_ORDER:
        named = [(c.title, _where(c)) for c in report.clauses if c.revision_effect == effect]
        if named:
            groups.append(EffectGroup(effect, named))
    return groups


def _where(clause: ClauseResult) -> str | None:
    """ "Article 6" (as the draft numbers it) when a removal deleted that article; else None."""
    if clause.revision_effect != "removed":
        return None
    for ev in clause.revision_evidence:
        if ev.kind != "deleted":
            continue
        # A deleted heading names the article better than the sub-clause the evidence was in.
        match = _ARTICLE.match(ev.text) or (_ARTICLE.match(ev.section) if ev.section else None)
        if match:
            return match.group(0)
        if ev.section:
            return ev.section
    return None


def revision_sentence(report: Report, lang: str | None = None) -> str | None:
    """ "Pending changes by Partner Legal (12 insertions, 4 deletions): they remove Academic
    freedom (Article 6 deleted) and weaken Exit strategy." None without pending changes.

    For every format's first lines (text, Markdown, HTML, the web page, batch summaries and
    checklists). In ``lang`` ("en" or "nb"; default: the document's, so a Norwegian draft
    reads "Ventende endringer av …"): the wording is data, the ``revision_sentence`` key of
    ``templates/messages/<lang>.yaml``, put together by ``revision_sentence.txt.j2``. Clause
    titles are the report's, already in the document's language.
    """
    summary = report.document.revisions
    if summary is None:
        return None
    from analyser.i18n import messages, ui_language
    from analyser.render import ENV

    wording = messages(ui_language(report.document.language, lang))["revision_sentence"]
    template = ENV.get_template("revision_sentence.txt.j2")
    text = template.render(summary=summary, groups=effect_groups(report), m=wording)
    return " ".join(text.split())
