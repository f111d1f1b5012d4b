"""What else a PDF file carries besides its pages: attached files, a portfolio, an XFA form.

One container, one reading: the analyser judges the pages a reader sees. A PDF can instead
carry the agreement as an embedded file (ISO 32000-1 § 7.11.4, the /EmbeddedFiles name tree),
be a portfolio whose cover page only says "open the attachment" (§ 12.3.5, /Collection), or be
an XFA form whose pages are built by Adobe's XFA engine at display time (the PDF only holds a
placeholder page; pdfium reports it as ``FORMTYPE_XFA_FULL``, /NeedsRendering true). In each
case reading the pages alone would report six silent "missing" clauses, so the reader is told.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyser.errors import AgreementInAttachment, XfaForm

# How many attachment names a message lists before "and N more".
_LISTED = 5


def attachment_names(pdf: pdfium.PdfDocument) -> list[str]:
    """Names of the files embedded in the PDF, in the order of its name tree."""
    names = []
    for i in range(pdf.count_attachments()):
        try:
            names.append(pdf.get_attachment(i).get_name() or f"attachment {i + 1}")
        except pdfium.PdfiumError:
            names.append(f"attachment {i + 1}")
    return names


def refuse_xfa(pdf: pdfium.PdfDocument, path: str) -> list[str]:
    """Raise for a dynamic XFA form; a static one (AcroForm pages plus XFA) gets a warning."""
    form_type = pdfium_c.FPDF_GetFormType(pdf.raw)
    if form_type == pdfium_c.FORMTYPE_XFA_FULL:
        raise XfaForm(
            "dynamic XFA form: its pages are only built by Adobe Reader — open it there and "
            "print it to PDF, then analyse that PDF",
            path,
        )
    if form_type == pdfium_c.FORMTYPE_XFA_FOREGROUND:
        return ["XFA form: the text read is the static page content; Adobe Reader may show "
                "different form content"]  # fmt: skip
    return []


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    if len(names) > _LISTED:
        shown += f" and {len(names) - _LISTED} more"
    return shown


def attachment_warning(names: list[str]) -> list[str]:
    """The warning for a PDF that has pages with text and attached files besides."""
    if not names:
        return []
    files = "file" if len(names) == 1 else "files"
    return [
        f"the PDF carries {len(names)} attached {files} ({_listing(names)}) that were not "
        "analysed — if the agreement or an annex is attached, save it and analyse it on its own"
    ]


def refuse_empty_with_attachments(names: list[str], path: str) -> None:
    """A cover page without text plus attachments: the agreement is in the attachments."""
    if names:
        raise AgreementInAttachment(
            f"the pages hold no text; the PDF is a container for {len(names)} attached "
            f"file(s) ({_listing(names)}) — save the attachment and analyse it on its own",
            path,
        )
