"""What else a PDF file carries besides its pages: attached files, a portfolio, an XFA form.

One container, one reading: the analyser judges the pages a reader sees. A PDF can instead
carry the agreement as an embedded file (ISO 32000-1 § 7.11.4, the /EmbeddedFiles name tree),
be a portfolio whose cover page only says "open the attachment" (§ 12.3.5, /Collection), or be
an XFA form whose pages are built by Adobe's XFA engine at display time (the PDF only holds a
placeholder page; pdfium reports it as ``FORMTYPE_XFA_FULL``, /NeedsRendering true). In each
case reading the pages alone would report six silent "missing" clauses, so the reader is told.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyser.errors import AgreementInAttachment, XfaForm
from analyser.limits import Limits

# How many attachment names a message lists before "and N more".
_LISTED = 5
# How many attached files `check --attachments` analyses per PDF; the rest are named.
MAX_EMBEDDED = 20
_DOCUMENT_SUFFIXES = (".pdf", ".docx", ".txt")
_DOCUMENT_MAGICS = (b"%PDF-", b"PK\x03\x04")


@dataclass(frozen=True)
class Embedded:
    """One attached file taken out of a PDF for an analysis of its own."""

    name: str
    data: bytes  # empty when the file is larger than max_file_bytes (not copied out)
    size: int


def embedded_documents(data: bytes, path: str, limits: Limits) -> list[Embedded]:
    """The attached files of a PDF that are agreements the analyser can read (PDF, DOCX, text by
    name or leading bytes), at most :data:`MAX_EMBEDDED` of them; one larger than
    ``max_file_bytes`` is named with its size and its bytes are not copied out. Attachments
    of attachments are not opened: one level, as a reader who saves the attachment gets. Run
    it in a bounded worker (``check --attachments`` does): decoding an attachment's stream is
    parsing untrusted input.
    """
    from analyser.extract.pdf import _PDFIUM_LOCK, _open

    found = []
    with _PDFIUM_LOCK, _open(data, path) as pdf:
        for i in range(min(pdf.count_attachments(), MAX_EMBEDDED)):
            try:
                attachment = pdf.get_attachment(i)
                name = attachment.get_name() or f"attachment {i + 1}"
            except pdfium.PdfiumError:
                continue
            size = ctypes.c_ulong()
            if not pdfium_c.FPDFAttachment_GetFile(attachment, None, 0, size) or not size.value:
                continue
            if size.value > limits.max_file_bytes:
                if name.lower().endswith(_DOCUMENT_SUFFIXES):
                    found.append(Embedded(name, b"", size.value))
                continue
            buffer = (ctypes.c_char * size.value)()
            if not pdfium_c.FPDFAttachment_GetFile(attachment, buffer, size.value, size):
                continue
            content = bytes(buffer)[: size.value]
            if name.lower().endswith(_DOCUMENT_SUFFIXES) or content.startswith(_DOCUMENT_MAGICS):
                found.append(Embedded(name, content, len(content)))
    return found


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


ATTACHMENT_WARNING_START = "the PDF carries "


def attachment_warning(names: list[str]) -> list[str]:
    """The warning for a PDF that has pages with text and attached files besides."""
    if not names:
        return []
    files = "file" if len(names) == 1 else "files"
    return [
        f"{ATTACHMENT_WARNING_START}{len(names)} attached {files} ({_listing(names)}) that "
        "were not analysed — if the agreement or an annex is attached, analyse it with "
        "`analyser check --attachments`"
    ]


def refuse_empty_with_attachments(names: list[str], path: str) -> None:
    """A cover page without text plus attachments: the agreement is in the attachments."""
    if names:
        raise AgreementInAttachment(
            f"the pages hold no text; the PDF is a container for {len(names)} attached "
            f"file(s) ({_listing(names)}) — analyse them with `analyser check --attachments`",
            path,
        )
