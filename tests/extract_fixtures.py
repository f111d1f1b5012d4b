"""Builders for real PDF/DOCX files used by the extraction tests and the benchmark.

The files are made by the tools that make real agreements (reportlab, python-docx, LibreOffice)
rather than checked in, so the tests show what the extractor does with those tools' output and
the repository carries no binary fixtures. Test modules wrap these in their own fixtures; this
module is not a conftest so that it cannot collide with one another engineer adds.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

HEADER = "Research Cooperation Agreement - DRAFT v3"
DOCX_HEADER = "CONFIDENTIAL DRAFT - not for circulation"
DOCX_FOOTER = "Agreement ref. NOR-2025-17"
FILLER = (
    "The Parties shall cooperate in good faith on the research programme described in Annex 1 "
    "and shall keep each other informed of all relevant developments, including changes of key "
    "personnel, funding and the export-control status of the results. "
)
TABLE_ROWS = [
    ("Partner", "Country", "Role"),
    ("University of Oslo", "Norway", "Coordinator"),
    ("Tsinghua University", "China", "Partner"),
]
# Sentences placed on known pages of the sample PDF: (page, text).
PAGE_MARKERS = [
    (1, "1. Definitions"),
    (2, "3. Intellectual Property"),
    (3, "Article 5 Export control"),
]


def _pdf_story(pages: int) -> list[object]:
    styles = getSampleStyleSheet()
    body, head = styles["BodyText"], styles["Heading2"]
    story: list[object] = [
        Paragraph("Research Cooperation Agreement", styles["Title"]),
        Paragraph("1. Definitions", head),
        Paragraph(FILLER * 2, body),
        Paragraph(
            "The parties hereby confirm their agree-<br/>ment to the terms and grant a non-<br/>"
            "exclusive licence to the agreement results.",
            body,
        ),
        Paragraph("2. Confidentiality", head),
        Paragraph("(a) " + FILLER, body),
        Paragraph("(b) Each Party shall protect confidential information.", body),
        Table(TABLE_ROWS),
        PageBreak(),
        Paragraph("3. Intellectual Property", head),
        Paragraph(FILLER * 3, body),
        PageBreak(),
        Paragraph("Article 5 Export control", head),
        Paragraph(FILLER * 2, body),
    ]
    for n in range(4, pages + 1):
        story += [PageBreak(), Paragraph(f"{n + 2}. Clause number {n + 2}", head)]
        story += [Paragraph(FILLER * 4, body), Paragraph(FILLER * 3, body)]
    return story


def build_agreement_pdf(path: Path, pages: int = 3) -> Path:
    """A multi-page agreement with a running header and a "Page N of M" footer.

    Built twice: the first pass counts the pages so the footer can say "of M".
    """

    def build(total: int) -> int:
        def furniture(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
            c.saveState()
            c.setFont("Helvetica", 8)
            c.drawString(20 * mm, A4[1] - 12 * mm, HEADER)
            c.drawCentredString(A4[0] / 2, 10 * mm, f"Page {doc.page} of {total}")
            c.restoreState()

        doc = SimpleDocTemplate(str(path), pagesize=A4, title="Agreement")
        doc.build(_pdf_story(pages), onFirstPage=furniture, onLaterPages=furniture)
        return int(doc.page)

    build(build(0))
    return path


# A ruled table (reportlab GRID); the last cell wraps inside its column.
RULED_ROWS = [
    ("Party", "Contact", "Responsibility"),
    ("Nordvik University", "Prof. Anne Berg", "Coordinates the joint work plan"),
    (
        "Riverside Institute",
        "Dr. Chen Wei",
        "Keeps the data management plan up to date and reports on it every six months",
    ),
]
BEFORE_TABLE = "The contact persons of the Parties are listed in the following table."
AFTER_TABLE = "Each Party may replace its contact person by written notice."


def _ruled_table() -> Table:
    cell = getSampleStyleSheet()["BodyText"]
    rows = [[Paragraph(text, cell) for text in row] for row in RULED_ROWS]
    table = Table(rows, colWidths=[45 * mm, 40 * mm, 60 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    return table


def build_table_pdf(path: Path, pages: int = 3, table_every: int = 2) -> Path:
    """Pages of prose; every ``table_every``-th page also carries the ruled table between two
    paragraphs. Page 2 holds the first table with the default arguments."""
    styles = getSampleStyleSheet()
    body, head = styles["BodyText"], styles["Heading2"]
    story: list[object] = []
    for n in range(1, pages + 1):
        if n > 1:
            story.append(PageBreak())
        story += [Paragraph(f"{n}. Clause number {n}", head), Paragraph(FILLER * 3, body)]
        if n % table_every == 0:
            story += [Paragraph(BEFORE_TABLE, body), _ruled_table(), Paragraph(AFTER_TABLE, body)]
        story.append(Paragraph(FILLER * 2, body))
    SimpleDocTemplate(str(path), pagesize=A4, title="Agreement").build(story)
    return path


def build_framed_box_pdf(path: Path) -> Path:
    """Prose with one framed box (a single rectangle around a paragraph): not a table."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(55, 700, 480, 60)
    text = c.beginText(60, 745)
    for line in ("1. Purpose", FILLER[:90], FILLER[90:180], "2. Term", FILLER[:90]):
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return path


def build_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """Pages that only carry a drawn image-like raster (no text objects): a scan stand-in."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        for row in range(40):
            c.rect(60, 780 - row * 18, 400 + (row % 3) * 40, 8, fill=1, stroke=0)
        c.showPage()
    c.save()
    return path


def build_encrypted_pdf(path: Path, user_password: str) -> Path:
    """An encrypted PDF; with an empty user password it opens without asking."""
    encryption = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner-secret")
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encryption)
    text = c.beginText(60, 780)
    for line in ("1. Purpose", FILLER[:90], FILLER[90:180], "2. Term", FILLER[:90]):
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return path


def build_pages_pdf(path: Path, pages: list[list[str]], header: str | None = None) -> Path:
    """A plain PDF with the given lines per page, for precise reflow/furniture cases."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        c.setFont("Helvetica", 8)
        if header:
            c.drawString(60, A4[1] - 30, header)
        c.drawCentredString(A4[0] / 2, 25, f"- {number} -")
        c.setFont("Helvetica", 10)
        y = 760.0
        for line in lines:
            if line:
                c.drawString(60, y, line)
            y -= 12
        c.showPage()
    c.save()
    return path


# --- DOCX --------------------------------------------------------------------------------


# A three-level legal list: "1." / "1.1" / "(a)", used through numId 90 and, restarted, 91.
def _lvl(ilvl: int, fmt: str, text: str) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


_ABSTRACT_NUM = (
    f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
    '<w:multiLevelType w:val="multilevel"/>'
    + _lvl(0, "decimal", "%1.")
    + _lvl(1, "decimal", "%1.%2")
    + _lvl(2, "lowerLetter", "(%3)")
    + "</w:abstractNum>"
)
_NUMS = [
    f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>',
    f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="90"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>',
]
# (text, ilvl, numId) of the legal list, and the labels Word shows for them.
LEGAL_LIST = [
    ("Scope of cooperation", 0, "90", "1."),
    ("Joint research", 1, "90", "1.1"),
    ("Exchange of staff", 1, "90", "1.2"),
    ("visits of up to three months", 2, "90", "(a)"),
    ("secondments", 2, "90", "(b)"),
    ("Publications", 1, "90", "1.3"),
    ("Confidentiality", 0, "90", "2."),
    ("Definition of confidential information", 1, "90", "2.1"),
    ("Export control", 0, "90", "3."),
    ("Restarted list first item", 0, "91", "1."),
]


def _add_legal_numbering(document: docx.document.Document) -> None:
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    abstract = parse_xml(_ABSTRACT_NUM)
    # abstractNum elements must precede num elements in the schema.
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    for num in _NUMS:
        numbering.append(parse_xml(num))


def _number_paragraph(paragraph: object, num_id: str, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def _add_page_field(paragraph: object) -> None:
    """A PAGE field, so a PDF rendered by LibreOffice shows a page number in the footer."""
    paragraph._p.append(  # type: ignore[attr-defined]
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )


def build_agreement_docx(path: Path, filler_paragraphs: int = 0) -> Path:
    """Headings, auto-numbered "List Number" items, a legal multi-level list, a table with a
    vertically merged cell, tracked insertion/deletion, and a header and footer."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = DOCX_HEADER
    footer = section.footer.paragraphs[0]
    footer.text = DOCX_FOOTER + " - page "
    _add_page_field(footer)
    _add_legal_numbering(document)

    document.add_heading("Research Cooperation Agreement", 0)
    document.add_heading("Definitions", 1)
    document.add_paragraph("The following terms apply throughout this Agreement.")
    for item in ("Background IP", "Results", "Confidential Information"):
        document.add_paragraph(item, style="List Number")
    table = document.add_table(rows=len(TABLE_ROWS), cols=3)
    for r, row in enumerate(TABLE_ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 2).merge(table.cell(2, 2))  # "Coordinator" spans two rows
    document.add_heading("Obligations", 2)
    for text, ilvl, num_id, _ in LEGAL_LIST:
        _number_paragraph(document.add_paragraph(text), num_id, ilvl)
    tracked = document.add_paragraph("The Parties ")
    tracked._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="A" w:date="2025-01-01T00:00:00Z">'
            '<w:r><w:t xml:space="preserve">shall </w:t></w:r></w:ins>'
        )
    )
    tracked._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="A" w:date="2025-01-01T00:00:00Z">'
            "<w:r><w:delText>may </w:delText></w:r></w:del>"
        )
    )
    tracked.add_run("comply with export-control law.")
    for n in range(filler_paragraphs):
        document.add_paragraph(f"Filler paragraph {n}. " + FILLER * 2)
    document.add_paragraph("End of agreement.")
    document.save(str(path))
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(source: Path, outdir: Path, timeout: float = 120) -> Path:
    """DOCX -> PDF with LibreOffice headless, in a private profile so parallel runs and a
    user's open LibreOffice do not interfere."""
    binary = soffice()
    assert binary, "LibreOffice not installed"
    profile = (outdir / "lo-profile").resolve().as_uri()
    subprocess.run(
        [
            binary, f"-env:UserInstallation={profile}", "--headless",
            "--convert-to", "pdf", "--outdir", str(outdir), str(source),
        ],
        check=True, capture_output=True, timeout=timeout,
    )  # fmt: skip
    return outdir / (source.stem + ".pdf")
