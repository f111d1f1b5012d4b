"""Batch review: analyse a folder of agreements in parallel, resumably, without losing results.

An annual audit means hundreds of drafts in one run, some of them broken (truncated PDFs,
mislabelled ZIPs, empty files) or hostile. The batch therefore treats every document as
something that may fail, hang or kill the process analysing it, and keeps going:

* documents are analysed by :class:`analyser.engine.Engine`: warm workers forked from this
  process once it has loaded the matchers and the model, one deadline (``--max-seconds``) and
  one memory cap (``--max-memory-bytes``) per document covering the whole analysis, largest
  file first, outcomes streamed as they finish; a worker that runs over, dies or grows too big
  is replaced and the document is reported with the reason;
* each worker writes its document's reports atomically (temporary file + rename) as soon as
  the document is done, so a batch killed half way keeps everything it finished;
* a re-run skips documents whose JSON report in the output folder is for the same bytes
  (sha256), tool version, model version and profile, so only the rest is redone;
* with ``annotate`` each DOCX/PDF also gets an annotated copy (:mod:`analyser.annotate`) beside
  its reports, ``<report name>.annotated.<docx|pdf>``: written by the same worker under the
  same deadline, never over the input, and a copy that cannot be made is reported on that
  document's row while its reports (and every other document) are kept.

Test hooks (read ONLY in :func:`_analyse_and_write`, which runs in the worker):
``ANALYSER_TEST_CRASH_ON=<file name>`` makes the worker SIGKILL itself on that document and
``ANALYSER_TEST_HANG_ON=<file name>`` makes it sleep for ever on it; they simulate a
parser that dies or hangs so the tests can check that the batch survives both.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import os
import signal
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analyser.engine import Engine, Job, default_jobs
from analyser.errors import AnalyserError, UnreadableDocument
from analyser.limits import Limits

if TYPE_CHECKING:
    from analyser.pipeline import Analyser
    from analyser.report import Report

SUPPORTED_SUFFIXES = frozenset({".pdf", ".docx", ".txt"})
# Report format -> file extension; JSON is always written (it is what a re-run resumes from).
FORMAT_EXTENSIONS: dict[str, str] = {
    "json": "json",
    "html": "html",
    "markdown": "md",
    "text": "txt",
}
FORMAT_ALIASES: dict[str, str] = {"md": "markdown", "txt": "text"}
DEFAULT_TIMEOUT = Limits().max_seconds


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path
    jobs: int | None = None  # None: all cores
    timeout: float | None = None  # seconds per document; None: limits.max_seconds
    formats: tuple[str, ...] = ("json",)
    profile: str | None = None
    use_model: bool = True
    force: bool = False
    limits: Limits | None = None  # None: defaults overridden by ANALYSER_MAX_... variables
    # When the command started (time.monotonic()): its start-up is taken off each document's
    # deadline (see analyser.engine.Engine); None for library callers.
    epoch: float | None = None
    annotate: bool = False  # also write an annotated copy of each DOCX/PDF (see module doc)

    def resolved_limits(self) -> Limits:
        limits = self.limits or Limits.from_env()
        return limits.with_overrides(max_seconds=self.timeout)


@dataclass
class DocResult:
    """One row of the summary: what became of one input file."""

    path: str
    name: str
    sha256: str = ""
    language: str = ""
    pages: int | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    red_flags: int = 0
    error: str | None = None
    risk: str | None = None  # Report.risk, when the profile's risk rule set it
    flag_severities: dict[str, int] = field(default_factory=dict)  # severity -> count
    flag_ids: list[str] = field(default_factory=list)
    skipped: bool = False
    seconds: float = 0.0
    annotated: str | None = None  # file name of the annotated copy in the output folder
    annotate_error: str | None = None  # why no annotated copy was written (DOCX/PDF only)
    pending_changes: str = ""  # what a draft's tracked changes do (revision_sentence), if any

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BatchResult:
    results: list[DocResult]
    clause_ids: list[str]
    clause_titles: dict[str, str]
    formats: tuple[str, ...]
    elapsed: float = 0.0
    worker_peak_rss_kb: int = 0
    annotate: bool = False

    @property
    def not_annotated(self) -> list[DocResult]:
        """Documents read and reported whose annotated copy could not be made."""
        return [r for r in self.results if r.ok and r.annotate_error]

    @property
    def analysed(self) -> int:
        return sum(1 for r in self.results if r.ok and not r.skipped)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.skipped)

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if not r.ok]


@dataclass
class _Task:
    index: int
    path: Path
    name: str


# --------------------------------------------------------------------------------------------
# Discovery and naming


def parse_formats(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,md"`` -> ``("json", "html", "markdown")``: JSON first and always."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    formats = ["json"]
    for raw in items:
        item = FORMAT_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not item:
            continue
        if item not in FORMAT_EXTENSIONS:
            known = ", ".join(sorted({*FORMAT_EXTENSIONS, *FORMAT_ALIASES}))
            raise ValueError(f"unknown format {raw.strip()!r}; expected some of: {known}")
        if item not in formats:
            formats.append(item)
    return tuple(formats)


def _is_candidate(path: Path) -> bool:
    # Hidden files and Word's "~$name.docx" lock files are not agreements.
    return (
        path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith((".", "~$"))
        and path.is_file()
    )


def _own_output(path: Path, exclude: Path | None) -> bool:
    """A report ("mou.pdf.txt") or annotated copy ("mou.pdf.annotated.pdf") this tool wrote in
    the output folder: never an input."""
    if exclude is None or path.parent.resolve() != exclude:
        return False
    stem = Path(path.stem)
    if stem.suffix.lower() == ANNOTATED_MARK:
        return True
    return stem.suffix.lower() in SUPPORTED_SUFFIXES


def _inside(path: Path, folder: Path) -> bool:
    """True when a walked file, symlinks resolved, still lies under the folder being walked.

    A link to /etc/passwd named "contract.txt" in a shared folder must not be read and quoted
    in a report; links that stay inside the folder are harmless and followed.
    """
    return path.resolve().is_relative_to(folder.resolve())


def _walk(folder: Path, exclude: Path | None, follow_symlinks: bool = False) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        root_path = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (exclude is None or (root_path / d).resolve() != exclude)
        )
        found.extend(
            p
            for p in (root_path / f for f in sorted(files))
            if _is_candidate(p)
            and not _own_output(p, exclude)
            and (follow_symlinks or not p.is_symlink() or _inside(p, folder))
        )
    return found


def discover(
    inputs: Sequence[str | Path], exclude: Path | None = None, follow_symlinks: bool = False
) -> list[Path]:
    """Files to analyse: folders are walked recursively, globs expanded, files taken as given.

    A file named explicitly is taken whatever its extension (the extractor sniffs the bytes);
    in folders and globs only .pdf/.docx/.txt count. A path that does not exist and matches
    nothing is kept, so that it is reported as "file not found" rather than silently dropped.
    ``exclude`` (the output folder) is never walked, and reports this tool wrote there are
    never inputs. In folders, a symlink that leads outside the folder is skipped unless
    ``follow_symlinks``. The same file reached twice counts once.
    """
    exclude = exclude.resolve() if exclude is not None else None
    seen: set[Path] = set()
    out: list[Path] = []

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for p in _walk(path, exclude, follow_symlinks):
                add(p)
        elif path.exists():
            add(path)
        elif glob.has_magic(str(raw)):
            for match in sorted(glob.glob(str(raw), recursive=True)):
                m = Path(match)
                if m.is_dir():
                    for p in _walk(m, exclude, follow_symlinks):
                        add(p)
                elif _is_candidate(m):
                    add(m)
        else:
            add(path)
    return out


def assign_names(paths: Sequence[Path]) -> list[str]:
    """A report name per input, unique and independent of the order the files were found in.

    The name is the file name ("mou.pdf", so mou.pdf and mou.txt do not collide). Files with
    the same name in different folders get as many parent folders as it takes to tell them
    apart, joined with "__" ("faculty-a__mou.pdf"); anything still equal gets "~2", "~3"
    in the sorted order of the full paths. The same folder therefore always gives the same
    names, which is what lets a re-run find its earlier reports.
    """
    parts = [Path(os.path.abspath(p)).parts for p in paths]
    names = [p[-1] for p in parts]
    depth = 1
    while True:
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            groups.setdefault(name, []).append(i)
        clashes = [idx for idx in groups.values() if len(idx) > 1]
        if not clashes:
            return [_fit_file_system(name) for name in names]
        progressed = False
        for idx in clashes:
            for i in idx:
                if len(parts[i]) > depth:
                    longer = "__".join(parts[i][-depth - 1 :]).lstrip("/\\") or names[i]
                    progressed |= longer != names[i]
                    names[i] = longer
        depth += 1
        if not progressed:
            break
    groups = {}
    for i, name in enumerate(names):
        groups.setdefault(name, []).append(i)
    for idx in groups.values():
        for n, i in enumerate(sorted(idx, key=lambda j: str(paths[j])), start=1):
            if n > 1:
                names[i] = f"{names[i]}~{n}"
    return [_fit_file_system(name) for name in names]


# File systems allow 255 bytes per name; the report adds ".json" or ".html" and the atomic
# write a temporary prefix, so longer names are cut and made unique by a hash of the whole.
_MAX_NAME_BYTES = 200


def _fit_file_system(name: str) -> str:
    """``name`` itself, or a shortened name that is still unique and the same on every run."""
    encoded = name.encode("utf-8")
    if len(encoded) <= _MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:10]
    suffix = Path(name).suffix[:10]  # kept, so "mou.pdf.txt" still reads as a report of a PDF
    room = _MAX_NAME_BYTES - 11 - len(suffix.encode("utf-8"))
    head = encoded[:room].decode("utf-8", "ignore")
    return f"{head}~{digest}{suffix}"


def file_sha256(path: Path) -> str:
    """The same digest the extractor puts in the report ("" when the file cannot be read)."""
    digest = hashlib.sha256()
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return ""  # a device or FIFO: never read here (the engine refuses it)
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def report_path(out_dir: Path, name: str, fmt: str) -> Path:
    return out_dir / f"{name}.{FORMAT_EXTENSIONS[fmt]}"


# "mou.docx" -> "mou.docx.annotated.docx": beside its reports, never the input's own name
# (the output folder may be the input folder), and recognisable as output on a re-run.
ANNOTATED_MARK = ".annotated"


def annotated_path(out_dir: Path, name: str, document_format: str) -> Path:
    """Where the annotated copy of the document reported as ``name`` goes (DOCX or PDF).

    ``name`` is at most 200 bytes (:func:`_fit_file_system`), so the copy's name stays within
    the file system's 255 bytes.
    """
    return out_dir / f"{name}{ANNOTATED_MARK}.{document_format}"


# --------------------------------------------------------------------------------------------
# Resuming


@dataclass(frozen=True)
class Versions:
    """What must match for an earlier report to be reused."""

    tool_version: str
    model_version: str | None
    profile: str


def current_versions(
    profile: str | None, use_model: bool, analyser: Analyser | None = None
) -> Versions:
    """Versions a report made now would carry, from a probe analysis of a one-line text.

    Asking the pipeline (instead of re-deriving the model version here) keeps the resume
    check honest if the pipeline changes how it stamps reports. It also fails fast, in the
    parent, on a bad profile (exit 2) or an unusable model (exit 4).
    """
    from analyser.document import Block, Document
    from analyser.pipeline import Analyser

    text = "This agreement is a probe."
    probe = Document("probe", "", "", "txt", text, [Block(text, 0, len(text))])
    analyser = analyser or Analyser.for_profile(profile, use_model=use_model)
    report = analyser.analyse_document(probe)
    return Versions(report.tool_version, report.model_version, report.profile)


def _row_from_report(data: dict[str, Any], path: str, name: str) -> DocResult:
    doc = data.get("document") or {}
    flags = data.get("red_flags") or []
    return DocResult(
        path=path,
        name=name,
        sha256=str(doc.get("sha256", "")),
        language=str(doc.get("language", "")),
        pages=doc.get("pages"),
        statuses={c["id"]: c["status"] for c in data.get("clauses", [])},
        red_flags=len(flags),
        risk=data.get("risk"),
        flag_severities=dict(Counter(str(f.get("severity", "")) for f in flags)),
        flag_ids=sorted({str(f.get("id", "")) for f in flags}),
    )


def previous_result(
    out_dir: Path,
    task: _Task,
    sha256: str,
    versions: Versions,
    formats: Sequence[str],
    annotate: bool = False,
) -> DocResult | None:
    """The summary row of an earlier, still valid report for this file, or None (also when
    ``annotate`` asks for an annotated copy of a DOCX/PDF that is not there yet)."""
    if not sha256:
        return None
    if not all(report_path(out_dir, task.name, f).is_file() for f in formats):
        return None
    try:
        data = json.loads(report_path(out_dir, task.name, "json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # half-written by another tool, or edited: redo it
    if not isinstance(data, dict):
        return None
    same = (
        (data.get("document") or {}).get("sha256") == sha256
        and data.get("tool_version") == versions.tool_version
        and data.get("model_version") == versions.model_version
        and data.get("profile") == versions.profile
    )
    if not same:
        return None
    row = _row_from_report(data, str(task.path), task.name)
    row.pending_changes = _pending_changes(data)
    document_format = str((data.get("document") or {}).get("format", ""))
    if annotate and document_format in _annotatable():
        copy = annotated_path(out_dir, task.name, document_format)
        if not copy.is_file():
            return None
        row.annotated = copy.name
    row.skipped = True
    return row


def _pending_changes(data: dict[str, Any]) -> str:
    """The revision sentence of an earlier report read back from its JSON ("" if none)."""
    if not (data.get("document") or {}).get("revisions"):
        return ""
    from analyser.revision_effect import revision_sentence
    from analyser.web.reports import report_from_dict  # dict -> Report, no web imports

    try:
        return revision_sentence(report_from_dict(data)) or ""
    except (KeyError, TypeError, ValueError):  # an older or hand-edited report: no sentence
        return ""


def _annotatable() -> tuple[str, ...]:
    from analyser.annotate import ANNOTATABLE

    return ANNOTATABLE


def _remove_stale_temporaries(out_dir: Path, names: Iterable[str]) -> None:
    """Temporary files of reports a killed run was writing (``.<report>.<random>``)."""
    prefixes = tuple(f".{name}." for name in names)
    if not out_dir.is_dir():
        return
    for entry in out_dir.iterdir():
        if entry.name.startswith(prefixes) and entry.is_file():
            entry.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Worker


def _analyse_and_write(
    formats: tuple[str, ...],
    out_dir: str,
    analyser: Analyser,
    job: Job,
    annotate: bool = False,
    inputs: frozenset[str] = frozenset(),
) -> DocResult:
    """The engine task (runs in a worker): analyse, write every report, return the summary row.

    Reports are rendered and written here, so only a small row crosses the pipe and a finished
    document is on disk even if the parent dies the next moment. The annotated copy comes
    last, after the reports are safe: its failure is noted on the row, never lost reports.
    """
    from analyser.output import write_atomically
    from analyser.render import render
    from analyser.revision_effect import revision_sentence

    assert job.path is not None
    file_name = Path(job.path).name
    # Test hooks (see the module docstring); inert unless the variables are set.
    if os.environ.get("ANALYSER_TEST_CRASH_ON") == file_name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("ANALYSER_TEST_HANG_ON") == file_name:
        while True:
            time.sleep(3600)
    report = analyser.analyse_path(job.path)
    name = str(job.key[1])
    for fmt in formats:
        try:
            write_atomically(report_path(Path(out_dir), name, fmt), render(report, fmt) + "\n")
        except OSError as e:
            raise UnreadableDocument(
                f"could not write its {fmt} report: {e.strerror or e}", job.path
            ) from e
    row = _row_from_report(report.to_dict(), job.path, name)
    row.pending_changes = revision_sentence(report) or ""
    if annotate and report.document.format in _annotatable():
        try:
            row.annotated = _write_annotated(report, Path(job.path), Path(out_dir), name, inputs)
        except AnalyserError as e:
            row.annotate_error = e.reason
        except MemoryError:
            row.annotate_error = "annotating it ran out of memory"
        except Exception as e:  # noqa: BLE001 - a bug in one copy must not cost the reports
            row.annotate_error = " ".join(f"internal error: {type(e).__name__}: {e}".split())[:300]
    return row


def _write_annotated(
    report: Report, source: Path, out_dir: Path, name: str, inputs: frozenset[str]
) -> str:
    """Write the annotated copy of ``source``; return its file name.

    The bytes are read again after the analysis, so they are checked against the digest the
    report was made from: a file replaced meanwhile is not annotated with another's findings.
    A copy whose path is one of the batch's ``inputs`` (resolved) is refused: an input is
    never overwritten.
    """
    from analyser.annotate import annotate_bytes
    from analyser.errors import OutputError
    from analyser.output import write_atomically

    try:
        data = source.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"cannot read it again: {e.strerror or e}", str(source)) from e
    if hashlib.sha256(data).hexdigest() != report.document.sha256:
        raise UnreadableDocument("the file changed while it was analysed", str(source))
    target = annotated_path(out_dir, name, report.document.format)
    if str(target.resolve()) in inputs | {str(source.resolve())}:
        raise OutputError("its annotated copy would overwrite an input file", str(target))
    try:
        write_atomically(target, annotate_bytes(report, data))
    except OutputError as e:
        raise OutputError(f"could not write the annotated copy: {e.reason}", str(target)) from e
    return target.name


# --------------------------------------------------------------------------------------------
# Parent


def run_batch(
    inputs: Sequence[Path],
    options: BatchOptions,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Analyse ``inputs`` into ``options.out_dir`` and write the summaries.

    Raises :class:`AnalyserError` only for what stops the whole batch (bad profile, unusable
    model); an unreadable, hanging or crashing document becomes a row with an ``error``.
    """
    from analyser.engine import job_for_path
    from analyser.pipeline import Analyser

    started = time.perf_counter()
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    limits = options.resolved_limits()
    # Built (and warmed, before the first fork) here, in the parent: the workers inherit it.
    analyser = Analyser.for_profile(options.profile, use_model=options.use_model, limits=limits)
    prof = analyser.profile
    clause_ids = [c.id for c in prof.clauses]
    clause_titles = {c.id: c.localized_title("en") for c in prof.clauses}
    names = assign_names(inputs)
    tasks = [_Task(i, p, n) for i, (p, n) in enumerate(zip(inputs, names, strict=True))]
    _remove_stale_temporaries(out_dir, names)

    results: list[DocResult | None] = [None] * len(tasks)
    hashes = {t.index: file_sha256(t.path) for t in tasks}
    resumable = not options.force and any(
        report_path(out_dir, t.name, "json").is_file() for t in tasks
    )
    versions = current_versions(options.profile, options.use_model, analyser) if resumable else None
    jobs: list[Job] = []
    for task in tasks:
        old = None
        if versions is not None:
            old = previous_result(
                out_dir, task, hashes[task.index], versions, options.formats, options.annotate
            )
        if old is not None:
            results[task.index] = old
            continue
        try:
            job = job_for_path((task.index, task.name), task.path, limits)
        except AnalyserError as e:  # missing, a device or FIFO, too large: no worker needed
            results[task.index] = DocResult(str(task.path), task.name, error=_reason(e))
            continue
        jobs.append(job)

    total = len(tasks)
    done = total - len(jobs)
    if progress:
        progress(done, total)
    peak_kb = 0
    if jobs:
        engine = Engine(
            analyser,
            partial(
                _analyse_and_write,
                options.formats,
                str(out_dir),
                annotate=options.annotate,
                inputs=frozenset(str(p.resolve()) for p in inputs if options.annotate),
            ),
            jobs=min(options.jobs or default_jobs(), len(jobs)),
            limits=limits,
            warm=True,
            epoch=options.epoch,
        )
        for outcome in engine.run(jobs):
            index, name = outcome.job.key
            if outcome.error is None:
                row: DocResult = outcome.value
                row.seconds = outcome.seconds
            else:
                row = DocResult(str(tasks[index].path), name, error=_reason(outcome.error))
            row.sha256 = row.sha256 or hashes[index]
            results[index] = row
            done += 1
            if progress:
                progress(done, total)
        peak_kb = engine.peak_worker_rss // 1024

    final = [r for r in results if r is not None]
    batch = BatchResult(
        final,
        clause_ids,
        clause_titles,
        options.formats,
        time.perf_counter() - started,
        peak_kb,
        options.annotate,
    )
    from analyser.output import write_atomically

    write_atomically(out_dir / "summary.csv", summary_csv(batch))
    write_atomically(out_dir / "summary.html", summary_html(batch))
    return batch


def _reason(error: AnalyserError) -> str:
    """The summary's error cell: a file-level problem by its reason, anything else in full."""
    if error.exit_code != 3:
        raise error  # bad profile or unusable model: the whole batch stops (exit 2 or 4)
    return error.reason


# --------------------------------------------------------------------------------------------
# Summaries


def _csv_cell(value: Any) -> str:
    """Neutralise spreadsheet formulas: a file named "=HYPERLINK(...).pdf" stays text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summary_csv(batch: BatchResult) -> str:
    """One row per input; with ``--annotate`` two more columns: the annotated copy's file name
    and, when it could not be made, why."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    extra = ["annotated", "annotate_error"] if batch.annotate else []
    writer.writerow(
        [
            "file",
            "report",
            "sha256",
            "language",
            "pages",
            *batch.clause_ids,
            "red_flags",
            "error",
            "pending_changes",
            *extra,
        ]
    )
    for r in batch.results:
        annotation = [r.annotated or "", r.annotate_error or ""] if batch.annotate else []
        writer.writerow(
            _csv_cell(v)
            for v in (
                r.path,
                f"{r.name}.json" if r.ok else "",
                r.sha256,
                r.language,
                r.pages,
                *(r.statuses.get(c, "") if r.ok else "" for c in batch.clause_ids),
                r.red_flags if r.ok else "",
                r.error or "",
                r.pending_changes,
                *annotation,
            )
        )
    return buffer.getvalue()


# Worst first: sorting a clause column ascending puts missing, then partial, then present.
_STATUS_RANK = {"missing": 0, "partial": 1, "present": 2}
_RISK_RANK = {"high": 0, "medium": 1, "low": 2}
_SEVERITIES = ("high", "medium", "low")


def _verdict(row: DocResult) -> str:
    """The document's verdict as ``Report.summary`` gives it: its worst clause status."""
    statuses = set(row.statuses.values())
    return next((s for s in ("missing", "partial") if s in statuses), "present")


def _badness(row: DocResult) -> tuple[int, ...]:
    """Sort key that puts the documents needing attention first: by risk, then by the number
    of missing and partial clauses and of red flags; unreadable files last (they have no
    verdict to rank by, and the summary's first line counts them)."""
    statuses = list(row.statuses.values())
    return (
        int(not row.ok),
        _RISK_RANK.get(row.risk or "", len(_RISK_RANK)),
        -statuses.count("missing"),
        -statuses.count("partial"),
        -row.flag_severities.get("high", 0),
        -row.red_flags,
    )


def display_names(results: Sequence[DocResult]) -> dict[str, str]:
    """Each input's path relative to the folder all inputs share.

    A head of office reads "faculty-a/mou.pdf", not a full path of the machine that ran the
    batch (which also says more about that machine than a mailed summary should).
    """
    folders = [os.path.dirname(os.path.abspath(r.path)) for r in results]
    if not folders:
        return {}
    try:
        root = os.path.commonpath(folders)
    except ValueError:  # different drives on Windows
        return {r.path: r.name for r in results}
    return {r.path: os.path.relpath(os.path.abspath(r.path), root) for r in results}


def summary_language(results: Sequence[DocResult]) -> str:
    """The summary's interface language: that of most analysed documents (Norwegian for a
    folder of mostly Norwegian agreements), English on a tie or when none was read."""
    from analyser.i18n import ui_language

    votes = Counter(ui_language(r.language) for r in results if r.ok)
    return "nb" if votes["nb"] > votes["en"] else "en"


def summary_html(batch: BatchResult) -> str:
    """The head of office's overview: verdict, risk and statuses per document, worst first;
    totals per clause and per status, a chart, filters and sorting (inline, no network).

    Labels are in :func:`summary_language` (analyser/templates/messages/*.yaml). Clause titles
    are the profile's in English and the interface's translation otherwise; a clause of a
    custom profile that the messages do not name keeps its profile title.
    """
    from analyser.i18n import messages
    from analyser.render import ENV

    lang = summary_language(batch.results)
    t = messages(lang)
    titles = {
        cid: batch.clause_titles[cid] if lang == "en" else t["clause_titles"].get(cid, title)
        for cid, title in batch.clause_titles.items()
    }
    link_fmt = "html" if "html" in batch.formats else "json"
    ok = [r for r in batch.results if r.ok]
    totals = {
        cid: {s: sum(1 for r in ok if r.statuses.get(cid) == s) for s in _STATUS_RANK}
        for cid in batch.clause_ids
    }
    return ENV.get_template("batch_summary.html.j2").render(
        batch=batch,
        rows=sorted(batch.results, key=_badness),
        names=display_names(batch.results),
        verdict_of=_verdict,
        totals=totals,
        verdicts={s: sum(1 for r in ok if _verdict(r) == s) for s in _STATUS_RANK},
        severities={s: sum(r.flag_severities.get(s, 0) for r in ok) for s in _SEVERITIES},
        risks=sorted({r.risk for r in ok if r.risk}, key=lambda r: _RISK_RANK.get(r, 9)),
        languages=sorted({r.language for r in ok if r.language}),
        flags=sorted({f for r in ok for f in r.flag_ids}),
        link_ext=FORMAT_EXTENSIONS[link_fmt],
        status_rank=_STATUS_RANK,
        risk_rank=_RISK_RANK,
        severity_order=_SEVERITIES,
        t=t,
        ui_lang=lang,
        titles=titles,
        status_labels=t["status"],
    )


# --------------------------------------------------------------------------------------------
# Progress


class ProgressLine:
    """ "done/total · rate · ETA" rewritten in place on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.first: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.first is None:
            self.first, self.started = done, time.monotonic()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (done - self.first) / elapsed
        if rate > 0 and done < total:
            eta = f"ETA {_duration((total - done) / rate)}"
        else:
            eta = "done" if done >= total else "ETA –"
        width = 24
        filled = int(width * done / total) if total else width
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r{bar} {done}/{total} documents · {rate:.1f}/s · {eta}\x1b[K")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
