"""``check --attachments``: the agreements attached to a PDF, analysed as documents of their own.

A PDF can carry the agreement, or an annex, as an attached file (ISO 32000-1 § 7.11.4), and a
portfolio's cover page may hold nothing else. By default the attachments are named in a
warning (or, when the pages are empty, the PDF is refused naming them); asked for, each
attached PDF, DOCX or text file is analysed and reported on its own, as
"<attachment> (attached to <PDF>)". Taking the files out of the PDF is itself parsing
untrusted input, so it runs in the execution engine under the same deadline and memory cap as
an analysis; each attached file is then a job of its own, bounded like any other document.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyser.engine import Engine, Job, default_jobs, human_bytes
from analyser.errors import AnalyserError, DocumentTooLarge

if TYPE_CHECKING:
    from analyser.extract.pdf_container import Embedded
    from analyser.limits import Limits
    from analyser.pipeline import Analyser
    from analyser.report import Report

_PDF_MAGIC = b"%PDF-"
_HEAD_BYTES = 1024  # where a PDF header may start (readers accept leading junk)


def attachment_jobs(
    jobs: list[Job], analyser: Analyser, limits: Limits, epoch: float | None = None
) -> tuple[list[Job], dict[Any, AnalyserError]]:
    """A job for each document attached to a PDF among ``jobs``, and the refusals.

    Job keys are ``(index, 0)`` tuples for the given documents; attached file k of document
    ``index`` gets ``(index, k)``, so sorting the keys lists each PDF's attachments after it.
    A PDF whose attachments could not be taken out is not refused here: its own analysis says
    what is wrong with it.
    """
    pdfs = [job for job in jobs if _is_pdf(job)]
    found: list[Job] = []
    refused: dict[Any, AnalyserError] = {}
    if not pdfs:
        return found, refused
    engine = Engine(
        analyser, _embedded_task, jobs=min(len(pdfs), default_jobs()), limits=limits,
        warm=False, epoch=epoch,
    )  # fmt: skip
    for outcome in engine.run(pdfs):
        if outcome.error is not None:
            continue
        index = outcome.job.key[0]
        embedded: list[Embedded] = outcome.value
        for k, item in enumerate(embedded, start=1):
            name = f"{item.name} (attached to {outcome.job.name})"
            if not item.data:
                limit = human_bytes(limits.max_file_bytes)
                refused[(index, k)] = DocumentTooLarge(
                    f"file is {human_bytes(item.size)}; the limit is {limit}", name
                )
                continue
            found.append(Job((index, k), name, data=item.data, size=len(item.data)))
    return found, refused


def _is_pdf(job: Job) -> bool:
    if job.data is not None:
        return _PDF_MAGIC in job.data[:_HEAD_BYTES]
    assert job.path is not None
    try:
        with Path(job.path).open("rb") as fh:
            return _PDF_MAGIC in fh.read(_HEAD_BYTES)
    except OSError:
        return False  # the analysis reports why it cannot be read


def _embedded_task(analyser: Analyser, job: Job) -> list[Embedded]:
    """In an engine worker: the attached documents of one PDF."""
    from analyser.extract.pdf_container import embedded_documents

    data = job.data if job.data is not None else Path(str(job.path)).read_bytes()
    assert analyser.limits is not None
    return embedded_documents(data, job.name, analyser.limits)


def note_analysed(report: Report, count: int) -> None:
    """The PDF's warning that its attachments were not analysed, corrected: they were."""
    from analyser.extract.pdf_container import ATTACHMENT_WARNING_START

    files = "file was" if count == 1 else "files were"
    report.warnings = [
        f"{count} attached {files} analysed and reported separately"
        if warning.startswith(ATTACHMENT_WARNING_START)
        else warning
        for warning in report.warnings
    ]
