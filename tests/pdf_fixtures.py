"""Builders for PDFs that test what a reader sees and how the page is laid out.

reportlab draws every page (render modes, colours, positions, clip paths, two columns);
pikepdf post-processes where reportlab has no API: optional content groups (OCProperties and a
``/OC ... BDC`` marked-content sequence around one text object), ``/ActualText`` spans,
embedded file attachments and an XFA form entry. The post-processing edits only the markup
named in each docstring, on top of the real reportlab file.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

# A draft that states five of the six framework clauses and says nothing of academic freedom.
DRAFT_LINES = [
    "Research Cooperation Agreement",
    "",
    "Article 1 Fundamental values",
    "The Parties shall respect human rights, democracy and the rule of law in all joint",
    "activities under this Agreement.",
    "",
    "Article 2 Reciprocity",
    "The Parties shall ensure reciprocity and mutual benefit, with equal access to",
    "facilities, data and results for the researchers of both Parties.",
    "",
    "Article 3 Intellectual property",
    "Each Party shall own the intellectual property rights in the results it creates.",
    "Jointly created results shall be owned jointly, and the Parties shall agree on",
    "their protection and exploitation in writing.",
    "",
    "Article 4 Data management",
    "The Parties shall agree a data management plan that sets out how research data",
    "are stored, shared, protected and archived in accordance with applicable law.",
    "",
    "Article 5 Termination and exit",
    "Either Party may terminate this Agreement with six months' written notice. On",
    "termination the Parties shall agree how ongoing projects and data are wound down.",
]
# The article an adversary hides: it would make academic freedom "present".
HIDDEN_ARTICLE = [
    "Article 6 Academic freedom",
    "The Parties recognise and shall respect academic freedom and institutional",
    "autonomy. Researchers remain free to choose their research topics and methods and",
    "to publish their results without the approval of the other Party.",
]
# What an /ActualText lie shows on the page instead of the article.
DECOY_LINE = "Article 6 Reserved."

HIDDEN_WAYS = (
    "render_mode_invisible",
    "render_mode_clip",
    "white_on_white",
    "white_on_white_box",
    "transparent",
    "outside_crop_box",
    "zero_area_clip",
    "optional_content_off",
    "tiny_font",
)


def _draft_canvas(path: Path | io.BytesIO) -> tuple[canvas.Canvas, float]:
    """A canvas with the visible draft drawn; returns it and the y below the last line."""
    c = canvas.Canvas(path if isinstance(path, io.BytesIO) else str(path), pagesize=A4)
    c.setFont("Helvetica", 10)
    y = 780.0
    for line in DRAFT_LINES:
        if line:
            c.drawString(60, y, line)
        y -= 14
    return c, y - 14


def _article(c: canvas.Canvas, y: float, *, mode: int = 0, size: float = 10) -> None:
    """The hidden article as ONE text object (one BT/ET), so post-processing can find it."""
    text = c.beginText(60, y)
    text.setFont("Helvetica", size)
    text.setLeading(size * 1.4)
    text.setTextRenderMode(mode)
    for line in HIDDEN_ARTICLE:
        text.textLine(line)
    c.drawText(text)


def build_visible_draft(path: Path) -> Path:
    """The draft without any hidden article: the reference reading."""
    c, _ = _draft_canvas(path)
    c.showPage()
    c.save()
    return path


def build_hidden_article_pdf(path: Path, way: str) -> Path:
    """The draft with :data:`HIDDEN_ARTICLE` drawn so that no reader can see it, in ``way``."""
    c, y = _draft_canvas(io.BytesIO() if way == "optional_content_off" else path)
    if way == "render_mode_invisible":
        _article(c, y, mode=3)
    elif way == "render_mode_clip":
        _article(c, y, mode=7)
    elif way == "white_on_white":
        c.setFillColorRGB(1, 1, 1)
        _article(c, y)
    elif way == "white_on_white_box":  # dark text on a dark box of the same colour
        c.setFillColorRGB(0.1, 0.1, 0.3)
        c.rect(50, y - 60, 500, 75, fill=1, stroke=0)
        _article(c, y)
    elif way == "transparent":
        c.setFillAlpha(0)
        _article(c, y)
    elif way == "outside_crop_box":
        c.setCropBox((0, 0, A4[0], A4[1]))
        _article(c, -400)
    elif way == "zero_area_clip":
        c.saveState()
        clip = c.beginPath()
        clip.rect(60, y, 0, 0)
        c.clipPath(clip, stroke=0, fill=0)
        _article(c, y)
        c.restoreState()
    elif way == "tiny_font":
        _article(c, y, size=0.5)
    elif way == "optional_content_off":
        _article(c, y)
    else:
        raise ValueError(way)
    c.showPage()
    c.save()
    if way == "optional_content_off":
        data = c.getpdfdata()
        _wrap_in_off_layer(data, path)
    return path


def _wrap_in_off_layer(data: bytes, path: Path) -> None:
    """Put the article's BT/ET into ``/OC /hid BDC ... EMC`` with an OCG listed as OFF in
    /OCProperties /D (ISO 32000-1 § 8.11.4.3) — markup reportlab cannot write."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        group = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.OCG, Name=pikepdf.String("Hidden layer"))
        )
        pdf.Root.OCProperties = pikepdf.Dictionary(
            OCGs=pikepdf.Array([group]),
            D=pikepdf.Dictionary(OFF=pikepdf.Array([group]), Order=pikepdf.Array([group])),
        )
        page = pdf.pages[0]
        resources = page.obj.Resources
        resources.Properties = pikepdf.Dictionary(hid=group)
        _wrap_text_object(pdf, page, HIDDEN_ARTICLE[0], [pikepdf.Name.OC, pikepdf.Name("/hid")])
        pdf.save(path)


def build_actual_text_pdf(path: Path) -> Path:
    """The draft whose page shows :data:`DECOY_LINE` while an /ActualText span (§ 14.9.4)
    around it says the whole hidden article — text extractors read the ActualText."""
    c, y = _draft_canvas(io.BytesIO())
    c.setFont("Helvetica", 10)
    c.drawString(60, y, DECOY_LINE)
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(c.getpdfdata())) as pdf:
        span = pikepdf.Dictionary(ActualText=pikepdf.String(" ".join(HIDDEN_ARTICLE)))
        _wrap_text_object(pdf, pdf.pages[0], "Reserved", [pikepdf.Name.Span, span])
        pdf.save(path)
    return path


def _wrap_text_object(
    pdf: pikepdf.Pdf, page: pikepdf.Page, needle: str, bdc_operands: list[object]
) -> None:
    """Surround the BT/ET block that shows ``needle`` with ``BDC`` ... ``EMC``."""
    ops = list(pikepdf.parse_content_stream(page))
    start = None
    out: list[pikepdf.ContentStreamInstruction] = []
    block: list[pikepdf.ContentStreamInstruction] = []
    for instruction in ops:
        operator = str(instruction.operator)
        if operator == "BT":
            start = len(out)
            block = [instruction]
            continue
        if start is not None:
            block.append(instruction)
            if operator != "ET":
                continue
            shown = b"".join(
                bytes(o) for i in block for o in i.operands if isinstance(o, pikepdf.String)
            )
            if needle.encode() in shown:
                out.append(pikepdf.ContentStreamInstruction(bdc_operands, pikepdf.Operator("BDC")))
                out += block
                out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
            else:
                out += block
            start = None
            continue
        out.append(instruction)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))


def build_attachment_pdf(path: Path, attached: Path, *, cover_text: bool = True) -> Path:
    """A PDF that embeds ``attached`` as a file attachment (/EmbeddedFiles, written by
    pikepdf). With ``cover_text=False`` the page is blank and the catalog gets a /Collection,
    i.e. a portfolio whose only content is the attachment."""
    c = canvas.Canvas(io.BytesIO(), pagesize=A4)
    if cover_text:
        c.setFont("Helvetica", 10)
        c.drawString(60, 780, "Cover letter: the signed agreement is attached to this file.")
        c.drawString(60, 766, "Please read the attached document for the full terms.")
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(c.getpdfdata())) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, attached.read_bytes(), filename=attached.name)
        pdf.attachments[attached.name] = spec
        if not cover_text:
            pdf.Root.Collection = pikepdf.Dictionary(View=pikepdf.Name.D)
        pdf.save(path)
    return path


def build_xfa_pdf(path: Path, *, dynamic: bool = True) -> Path:
    """A reportlab page with Adobe's placeholder text and an /AcroForm /XFA packet added by
    pikepdf; ``dynamic`` sets /NeedsRendering true (the pages exist only in XFA)."""
    c = canvas.Canvas(io.BytesIO(), pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(60, 780, "Please wait... If this message is not eventually replaced by the")
    c.drawString(60, 766, "proper contents of the document, your PDF viewer may not be able")
    c.drawString(60, 752, "to display this type of document.")
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(c.getpdfdata())) as pdf:
        xdp = pdf.make_stream(
            b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template '
            b'xmlns="http://www.xfa.org/schema/xfa-template/3.3/"/></xdp:xdp>'
        )
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=xdp)
        if dynamic:
            pdf.Root.NeedsRendering = True
        pdf.save(path)
    return path
