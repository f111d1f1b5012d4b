"""Output stage that answers inside the draft: the findings of a :class:`~analyser.report.Report`
written into a copy of the original file (DOCX comments and tracked insertions, PDF
annotations). Reads only the report and the original bytes."""

from __future__ import annotations

from datetime import datetime

from analyser.errors import UnsupportedFormat
from analyser.report import Report

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
