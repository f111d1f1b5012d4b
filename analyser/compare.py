"""Compare two versions of an agreement: what the partner's new draft fixed and what it broke.

Both sides are handled as report dictionaries (``Report.to_dict()``, the JSON of
``shared/report-schema.json``), so a comparison works the same on two documents analysed now,
on two JSON reports kept from an earlier ``check``/``batch`` run, or on one of each.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyser.errors import AnalyserError, CorruptDocument, FileNotFound, NoRevisions
from analyser.locations import cite_section

if TYPE_CHECKING:
    from analyser.document import Document
    from analyser.engine import Job
    from analyser.limits import Limits
    from analyser.pipeline import Analyser
    from analyser.text_diff import TextDiff

STATUS_RANK: dict[str, int] = {"missing": 0, "partial": 1, "present": 2}


def load_report(
    path: Path,
    *,
    profile: str | None = None,
    use_model: bool = True,
    limits: Limits | None = None,
    epoch: float | None = None,
) -> dict[str, Any]:
    """A report dictionary from a JSON report file, or by analysing a document now.

    A ``.json`` file is taken as an earlier report (it must look like one); anything else
    is a document for the pipeline, whose errors (unreadable file: exit 3) pass through.
    """
    if path.suffix.lower() == ".json":
        return _read_json_report(path)
    version = load_version(path, profile=profile, use_model=use_model, limits=limits, epoch=epoch)
    return version.report


@dataclass
class Version:
    """One side of a comparison: its report and, when it was a document, its text."""

    report: dict[str, Any]
    document: Document | None = None


def load_version(
    path: Path,
    *,
    profile: str | None = None,
    use_model: bool = True,
    limits: Limits | None = None,
    epoch: float | None = None,
) -> Version:
    """Like :func:`load_report`, keeping the extracted document for the word-level redline."""
    (version,) = load_versions(
        [path], profile=profile, use_model=use_model, limits=limits, epoch=epoch
    )
    return version


def load_versions(
    paths: Sequence[Path],
    *,
    profile: str | None = None,
    use_model: bool = True,
    limits: Limits | None = None,
    epoch: float | None = None,
) -> list[Version]:
    """Each path as a :class:`Version`, in order: JSON reports read here, documents analysed
    by the execution engine (:mod:`analyser.engine`), side by side.

    The engine, not only a parsing child, is what bounds a document from a partner: its
    deadline and memory cap cover the whole analysis (extract, segment, detect), as in
    ``check`` and ``batch``. ``epoch`` is when the command started (``command_epoch()``).
    The first unreadable path (in the given order) is raised.
    """
    from analyser.engine import job_for_path

    versions: dict[int, Version] = {}
    jobs = []
    for index, path in enumerate(paths):
        if path.suffix.lower() == ".json":
            versions[index] = Version(_read_json_report(path))
        else:
            jobs.append(job_for_path(index, path, limits or _env_limits()))
    if jobs:
        versions.update(_in_engine(jobs, _version_task, profile, use_model, limits, epoch))
    return [versions[index] for index in range(len(paths))]


def revision_versions(
    path: Path,
    *,
    profile: str | None = None,
    use_model: bool = True,
    limits: Limits | None = None,
    epoch: float | None = None,
) -> tuple[Version, Version]:
    """A redlined DOCX as two versions: every tracked change rejected, and every one accepted.

    Both analyses run in one engine worker, under one deadline and memory cap."""
    from analyser.engine import job_for_path

    job = job_for_path(0, path, limits or _env_limits())
    before, after = _in_engine([job], _revision_task, profile, use_model, limits, epoch)[0]
    return before, after


def _env_limits() -> Limits:
    from analyser.limits import Limits

    return Limits.from_env()


def _in_engine(
    jobs: list[Job],
    task: Callable[[Analyser, Job], Any],
    profile: str | None,
    use_model: bool,
    limits: Limits | None,
    epoch: float | None,
) -> dict[int, Any]:
    """Run ``task`` on each job in warm, bounded workers; raise the first job's error."""
    from analyser.engine import Engine, default_jobs
    from analyser.pipeline import Analyser

    analyser = Analyser.for_profile(profile, use_model=use_model, limits=limits)
    engine = Engine(
        analyser,
        task,
        jobs=min(len(jobs), default_jobs()),
        limits=limits,
        warm=len(jobs) > 1,
        epoch=epoch,
    )
    values: dict[int, Any] = {}
    refused: dict[int, AnalyserError] = {}
    for outcome in engine.run(jobs):
        if outcome.error is not None:
            refused[outcome.job.key] = outcome.error
        else:
            values[outcome.job.key] = outcome.value
    if refused:
        raise refused[min(refused)]
    return values


def _version_task(analyser: Analyser, job: Job) -> Version:
    """In an engine worker: one document's report and its text."""
    assert job.path is not None
    report, document = analyser.analyse_file(job.path)
    return Version(report.to_dict(), document)


def _revision_task(analyser: Analyser, job: Job) -> tuple[Version, Version]:
    """In an engine worker: a DOCX before and after its tracked changes."""
    after = _version_task(analyser, job)
    revisions = after.document.revisions if after.document else None
    if revisions is None or revisions.before is None:
        raise NoRevisions("no tracked changes to compare — give two files", job.name)
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
    location: str = ""  # "p. 2 · Article 3(1)", in English (JSON); the reports localise it
    page: int | None = None
    section: str = ""  # the section as cited ("Article 3(1)")

    def where(self, labels: dict[str, Any]) -> str:
        """The location in the words of ``labels`` (analyser.i18n.messages): "s. 2 · …"."""
        page = f"{labels['location']['page']} {self.page}" if self.page is not None else ""
        return " · ".join(p for p in (page, self.section) if p)


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
    language: str | None = None  # the new version's; the rendered labels follow it
    # The English "different agreements" warning among ``warnings``, which the reports say in
    # their own language (messages: compare.unrelated); not part of the JSON.
    unrelated_warning: str | None = None
    # False when the redline's work budget ran out (text_diff.WORK_BUDGET): a changed stretch
    # is shown as one replacement instead of word by word.
    redline_complete: bool = True

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
        del data["unrelated_warning"]
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
        parts.append(_cite(ev))
    return " · ".join(parts)


def _cite(ev: dict[str, Any]) -> str:
    return cite_section(str(ev["section"]), "§") if ev.get("section") else ""


def _quote(text: str, ev: dict[str, Any]) -> Quote:
    page = ev.get("page")
    return Quote(text, _location(ev), page if isinstance(page, int) else None, _cite(ev))


def _quotes(clause: dict[str, Any] | None) -> dict[str, Quote]:
    """Quotes keyed by normalised text: a quote moved to another page is not a change."""
    if not clause:
        return {}
    out: dict[str, Quote] = {}
    for ev in clause.get("evidence") or []:
        key = _norm(ev.get("text", ""))
        if key and key not in out:
            out[key] = _quote(key, ev)
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


def compare_in_engine(old: Version, new: Version, *, limits: Limits | None = None) -> Comparison:
    """:func:`compare_versions` in a bounded engine worker when both sides are documents.

    The word-level redline aligns paragraphs and words with :class:`difflib.SequenceMatcher`,
    quadratic at worst: two long, different documents (one of them a partner's) could keep it
    busy for minutes after both analyses were done in time. So it gets a worker of its own
    with the same deadline and memory cap as a document ("comparison of A and B" is named
    when it is refused). Two JSON reports compare at once, in this process.
    """
    from analyser.engine import Job

    if old.document is None or new.document is None:
        return compare_versions(old, new)
    names = [v.report["document"]["name"] for v in (old, new)]
    job = Job(0, f"comparison of {names[0]} and {names[1]}")

    def task(analyser: Analyser, job: Job) -> Comparison:
        return compare_versions(old, new)  # in the forked worker, which has both versions

    comparison: Comparison = _in_engine([job], task, None, False, limits, None)[0]
    return comparison


def _add_text_diff(comparison: Comparison, diff: TextDiff) -> None:
    comparison.text_changes = diff.changes
    comparison.similarity = diff.similarity
    comparison.redline_complete = diff.complete
    if not diff.complete:
        comparison.warnings.append(
            "the texts repeat too much to align word by word in reasonable time: part of the "
            "redline shows a changed stretch as one replacement"
        )
    if diff.different_agreements:
        comparison.unrelated_warning = (
            f"the two files share only {diff.similarity:.0%} of their text: they look like "
            "different agreements, not two versions of one"
        )
        comparison.warnings.append(comparison.unrelated_warning)


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
        quotes = [_quote(_norm(e.get("text", "")), e) for e in flag.get("evidence", [])]
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
        language=new_doc.get("language") or old_doc.get("language"),
    )


_TEMPLATES = {"text": "compare.txt.j2", "markdown": "compare.md.j2", "html": "compare.html.j2"}


def render_comparison(comparison: Comparison, fmt: str, lang: str | None = None) -> str:
    """text, markdown, html (templates in analyser/templates/) or json.

    Labels are in ``lang`` when given, else in the language of the new version's document.
    """
    if fmt == "json":
        return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; expected text, markdown, html or json")
    from analyser.i18n import messages, ui_language
    from analyser.render import ENV

    ui_lang = ui_language(comparison.language, lang)
    template = ENV.get_template(_TEMPLATES[fmt])
    out = template.render(cmp=comparison, t=messages(ui_lang), ui_lang=ui_lang)
    return out.rstrip("\n")
