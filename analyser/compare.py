"""Compare two versions of an agreement: what the partner's new draft fixed and what it broke.

Both sides are handled as report dictionaries (``Report.to_dict()``, the JSON of
``shared/report-schema.json``), so a comparison works the same on two documents analysed now,
on two JSON reports kept from an earlier ``check``/``batch`` run, or on one of each.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyser.errors import CorruptDocument, FileNotFound, NoRevisions
from analyser.locations import cite_section

if TYPE_CHECKING:
    from analyser.document import Document
    from analyser.text_diff import TextDiff

STATUS_RANK: dict[str, int] = {"missing": 0, "partial": 1, "present": 2}


def load_report(
    path: Path, *, profile: str | None = None, use_model: bool = True
) -> dict[str, Any]:
    """A report dictionary from a JSON report file, or by analysing a document now.

    A ``.json`` file is taken as an earlier report (it must look like one); anything else
    is a document for the pipeline, whose errors (unreadable file: exit 3) pass through.
    """
    if path.suffix.lower() == ".json":
        return _read_json_report(path)
    return load_version(path, profile=profile, use_model=use_model).report


@dataclass
class Version:
    """One side of a comparison: its report and, when it was a document, its text."""

    report: dict[str, Any]
    document: Document | None = None


def load_version(path: Path, *, profile: str | None = None, use_model: bool = True) -> Version:
    """Like :func:`load_report`, keeping the extracted document for the word-level redline."""
    if path.suffix.lower() == ".json":
        return Version(load_report(path))
    from analyser.isolation import extract_isolated
    from analyser.pipeline import Analyser

    analyser = Analyser.for_profile(profile, use_model=use_model)
    document = extract_isolated(path, analyser.limits)
    return Version(analyser.analyse_document(document).to_dict(), document)


def revision_versions(
    path: Path, *, profile: str | None = None, use_model: bool = True
) -> tuple[Version, Version]:
    """A redlined DOCX as two versions: every tracked change rejected, and every one accepted."""
    from analyser.pipeline import Analyser

    after = load_version(path, profile=profile, use_model=use_model)
    revisions = after.document.revisions if after.document else None
    if revisions is None or revisions.before is None:
        raise NoRevisions("no tracked changes to compare — give two files", str(path))
    analyser = Analyser.for_profile(profile, use_model=use_model)
    before = Version(analyser.analyse_document(revisions.before).to_dict(), revisions.before)
    name = after.report["document"]["name"]
    before.report["document"]["name"] = f"{name} (before tracked changes)"
    after.report["document"]["name"] = f"{name} (tracked changes accepted)"
    return before, after


# A report of a long agreement is a few MB; anything far larger is not one of ours.
MAX_REPORT_BYTES = 64 * 1024 * 1024


def _read_json_report(path: Path) -> dict[str, Any]:
    """An earlier report read back, or one line saying why the file is not one."""
    from analyser.report import report_problem

    try:
        if not path.is_file():
            raise FileNotFound("file not found" if not path.exists() else "not a file", str(path))
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise CorruptDocument("JSON file is too large to be a report", str(path))
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as e:  # a deeply nested document exhausts the parser's stack
        raise CorruptDocument("not a readable JSON report (nested too deeply)", str(path)) from e
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise CorruptDocument(f"not a readable JSON report ({e})", str(path)) from e
    if not (isinstance(data, dict) and "clauses" in data and "document" in data):
        raise CorruptDocument("JSON file is not an analyser report", str(path))
    problem = report_problem(data)
    if problem:
        raise CorruptDocument(f"JSON report is malformed: {problem}", str(path))
    return data


@dataclass
class Quote:
    text: str
    location: str = ""


@dataclass
class ClauseChange:
    id: str
    title: str
    old_status: str | None
    new_status: str | None
    change: str  # closed | opened | improved | worsened | unchanged | added | removed
    evidence_added: list[Quote] = field(default_factory=list)
    evidence_removed: list[Quote] = field(default_factory=list)
    elements_found: list[str] = field(default_factory=list)
    elements_lost: list[str] = field(default_factory=list)

    @property
    def evidence_changed(self) -> bool:
        return bool(self.evidence_added or self.evidence_removed)

    @property
    def changed(self) -> bool:
        return (
            self.change != "unchanged"
            or self.evidence_changed
            or bool(self.elements_found or self.elements_lost)
        )


@dataclass
class FlagRef:
    id: str
    title: str
    severity: str
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Comparison:
    old_name: str
    new_name: str
    old_sha256: str
    new_sha256: str
    clauses: list[ClauseChange]
    flags_appeared: list[FlagRef]
    flags_disappeared: list[FlagRef]
    text_changes: list[Any] = field(default_factory=list)  # text_diff.TextChange
    similarity: float | None = None  # share of common words; None when a side was JSON
    warnings: list[str] = field(default_factory=list)

    @property
    def gaps_closed(self) -> list[ClauseChange]:
        return [c for c in self.clauses if c.change == "closed"]

    @property
    def gaps_opened(self) -> list[ClauseChange]:
        return [c for c in self.clauses if c.change == "opened"]

    @property
    def changed(self) -> list[ClauseChange]:
        return [c for c in self.clauses if c.changed]

    @property
    def identical(self) -> bool:
        return (
            not self.changed
            and not self.flags_appeared
            and not self.flags_disappeared
            and not self.text_changes
        )

    def text_changes_by_section(self) -> list[tuple[str | None, list[Any]]]:
        """Text changes grouped by article, in document order, for the redline view."""
        groups: list[tuple[str | None, list[Any]]] = []
        for change in self.text_changes:
            if groups and groups[-1][0] == change.section:
                groups[-1][1].append(change)
            else:
                groups.append((change.section, [change]))
        return groups

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.similarity is None:
            del data["similarity"]
        for clause, obj in zip(data["clauses"], self.clauses, strict=True):
            clause["evidence_changed"] = obj.evidence_changed
        data["summary"] = {
            "gaps_closed": [c.id for c in self.gaps_closed],
            "gaps_opened": [c.id for c in self.gaps_opened],
            "changed": [c.id for c in self.changed],
            "flags_appeared": [f.id for f in self.flags_appeared],
            "flags_disappeared": [f.id for f in self.flags_disappeared],
        }
        return data


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def _in(quote: str, text: str | None) -> bool:
    return text is not None and quote.lower() in text


def _location(ev: dict[str, Any]) -> str:
    parts = []
    if ev.get("page") is not None:
        parts.append(f"p. {ev['page']}")
    if ev.get("section"):
        parts.append(cite_section(str(ev["section"]), "§"))
    return " · ".join(parts)


def _quotes(clause: dict[str, Any] | None) -> dict[str, Quote]:
    """Quotes keyed by normalised text: a quote moved to another page is not a change."""
    if not clause:
        return {}
    out: dict[str, Quote] = {}
    for ev in clause.get("evidence") or []:
        key = _norm(ev.get("text", ""))
        if key and key not in out:
            out[key] = Quote(key, _location(ev))
    return out


def _found_elements(clause: dict[str, Any] | None) -> dict[str, str]:
    if not clause:
        return {}
    elements = clause.get("elements") or []
    return {e["id"]: e.get("title", e["id"]) for e in elements if e.get("found")}


def _change(old: str | None, new: str | None) -> str:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old == new:
        return "unchanged"
    if new == "present":
        return "closed"
    if old == "present":
        return "opened"
    return "improved" if STATUS_RANK.get(new, 0) > STATUS_RANK.get(old, 0) else "worsened"


def compare_versions(old: Version, new: Version) -> Comparison:
    """Reports compared clause by clause, plus the word-level redline when both sides are
    documents (a JSON report has no text to diff)."""
    if old.document is None or new.document is None:
        return compare_reports(old.report, new.report)
    from analyser.text_diff import diff_documents

    diff = diff_documents(old.document, new.document)
    comparison = compare_reports(
        old.report, new.report, old_text=old.document.text, new_text=new.document.text
    )
    _add_text_diff(comparison, diff)
    return comparison


def compare_texts(
    old: dict[str, Any],
    new: dict[str, Any],
    old_paragraphs: list[tuple[str, str | None]],
    new_paragraphs: list[tuple[str, str | None]],
) -> Comparison:
    """Like :func:`compare_versions`, for two reports whose text was kept as (paragraph,
    article) pairs rather than as documents (the web server's stored analyses)."""
    from analyser.text_diff import diff_texts

    comparison = compare_reports(
        old,
        new,
        old_text="\n".join(text for text, _ in old_paragraphs),
        new_text="\n".join(text for text, _ in new_paragraphs),
    )
    _add_text_diff(comparison, diff_texts(old_paragraphs, new_paragraphs))
    return comparison


def _add_text_diff(comparison: Comparison, diff: TextDiff) -> None:
    comparison.text_changes = diff.changes
    comparison.similarity = diff.similarity
    if diff.different_agreements:
        comparison.warnings.append(
            f"the two files share only {diff.similarity:.0%} of their text: they look like "
            "different agreements, not two versions of one"
        )


def compare_reports(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    old_text: str | None = None,
    new_text: str | None = None,
) -> Comparison:
    """Clause by clause (in the new report's order, then clauses only the old one had).

    With the documents' texts, a quote that the other version also contains word for word is
    not reported as added or removed: the detector merely picked another sentence as its best
    evidence, the agreement did not change there.
    """
    in_old = _norm(old_text).lower() if old_text is not None else None
    in_new = _norm(new_text).lower() if new_text is not None else None
    old_clauses = {c["id"]: c for c in old.get("clauses", [])}
    new_clauses = {c["id"]: c for c in new.get("clauses", [])}
    order = list(new_clauses) + [cid for cid in old_clauses if cid not in new_clauses]
    changes = []
    for cid in order:
        before, after = old_clauses.get(cid), new_clauses.get(cid)
        q_old, q_new = _quotes(before), _quotes(after)
        e_old, e_new = _found_elements(before), _found_elements(after)
        changes.append(
            ClauseChange(
                id=cid,
                title=(after or before or {}).get("title", cid),
                old_status=before["status"] if before else None,
                new_status=after["status"] if after else None,
                change=_change(
                    before["status"] if before else None, after["status"] if after else None
                ),
                evidence_added=[
                    q for k, q in q_new.items() if k not in q_old and not _in(k, in_old)
                ],
                evidence_removed=[
                    q for k, q in q_old.items() if k not in q_new and not _in(k, in_new)
                ],
                elements_found=[t for k, t in e_new.items() if k not in e_old],
                elements_lost=[t for k, t in e_old.items() if k not in e_new],
            )
        )
    old_flags = {f["id"]: f for f in old.get("red_flags") or []}
    new_flags = {f["id"]: f for f in new.get("red_flags") or []}

    def ref(flag: dict[str, Any]) -> FlagRef:
        quotes = [Quote(_norm(e.get("text", "")), _location(e)) for e in flag.get("evidence", [])]
        return FlagRef(flag["id"], flag.get("title", flag["id"]), flag.get("severity", ""), quotes)

    old_doc, new_doc = old.get("document", {}), new.get("document", {})
    return Comparison(
        old_name=str(old_doc.get("name", "")),
        new_name=str(new_doc.get("name", "")),
        old_sha256=str(old_doc.get("sha256", "")),
        new_sha256=str(new_doc.get("sha256", "")),
        clauses=changes,
        flags_appeared=[ref(f) for k, f in new_flags.items() if k not in old_flags],
        flags_disappeared=[ref(f) for k, f in old_flags.items() if k not in new_flags],
    )


_TEMPLATES = {"text": "compare.txt.j2", "markdown": "compare.md.j2", "html": "compare.html.j2"}


def render_comparison(comparison: Comparison, fmt: str) -> str:
    """text, markdown, html (templates in analyser/templates/) or json."""
    if fmt == "json":
        return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; expected text, markdown, html or json")
    from analyser.render import ENV

    template = ENV.get_template(_TEMPLATES[fmt])
    return template.render(cmp=comparison).rstrip("\n")
