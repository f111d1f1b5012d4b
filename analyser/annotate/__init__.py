"""Output stage that answers inside the draft: the findings of a :class:`~analyser.report.Report`
written into a copy of the original file (DOCX comments and tracked insertions, PDF
annotations). Reads only the report and the original bytes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analyser.errors import UnreadableDocument, UnsupportedFormat
from analyser.report import Report

if TYPE_CHECKING:
    from analyser.engine import Job
    from analyser.pipeline import Analyser

ANNOTATABLE = ("docx", "pdf")


def annotate_bytes(report: Report, data: bytes, *, now: datetime | None = None) -> bytes:
    """An annotated copy of ``data``, the file ``report`` was made from (DOCX or PDF)."""
    if report.document.format == "docx":
        from analyser.annotate.docx import annotate_docx

        return annotate_docx(report, data, now=now).data
    if report.document.format == "pdf":
        from analyser.annotate.pdf import annotate_pdf

        return annotate_pdf(report, data).data
    raise UnsupportedFormat(
        f"cannot annotate a {report.document.format.upper()} file: only DOCX and PDF drafts",
        report.document.name,
    )


def annotate_job(analyser: Analyser, job: Job) -> bytes:
    """The engine task of ``analyser annotate`` (runs in a worker): analyse the draft, then make
    its annotated copy.

    Both halves parse the untrusted draft (the annotator again, with lxml or pypdf), so both
    run here, under the worker's one deadline and memory cap, not only the parsing. The bytes
    are read again after the analysis and checked against the digest the report was made
    from: a file replaced meanwhile is not annotated with another's findings.
    """
    assert job.path is not None
    report = analyser.analyse_path(job.path)
    try:
        data = Path(job.path).read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"cannot read it again: {e.strerror or e}", job.name) from e
    if hashlib.sha256(data).hexdigest() != report.document.sha256:
        raise UnreadableDocument("the file changed while it was analysed", job.name)
    return annotate_bytes(report, data)
