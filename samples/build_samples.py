"""Build the shipped DOCX and PDF sample agreements from their ``.txt`` sources.

Usage (from the repository root)::

    python samples/build_samples.py            # build every sample that ships as DOCX/PDF
    python samples/build_samples.py NAME ...   # build only the named samples

Each ``samples/<name>.txt`` is the source text of one agreement. Its layout is plain text:

* the lines before the first blank line are the title block (first line = title);
* article headings are short lines that start like a heading ("Article 3 – ...", "§ 4 ...",
  "5. Intellectual property", "4.1 General principles", "Artikkel 2 – ...", "Schedule 1 ...")
  and do not end with sentence punctuation;
* lines starting with ``|`` form a table (first row = header row);
* every other line is one paragraph.

DOCX files are written with python-docx (Title/Subtitle/Heading styles, a header with the
institution name, a footer with a PAGE field). PDFs are made either by LibreOffice headless
from the DOCX (``engine="soffice"``) or directly with reportlab (``engine="reportlab"``:
running header, "Page X of Y" footer). Which formats ship for which sample is set in
``SAMPLES`` below and must agree with ``samples/labels.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
FIXED_DATE = dt.datetime(2025, 3, 1, 12, 0, 0)


@dataclass(frozen=True)
class Sample:
    header: str  # institution name(s) in the running header
    footer: str  # footer text (page number is added)
    formats: tuple[str, ...]  # shipped formats besides the .txt source: "docx", "pdf"
    pdf_engine: str = "soffice"  # "soffice" (from the DOCX) or "reportlab"


SAMPLES: dict[str, Sample] = {
    "mou-fjordvik-kilimani": Sample(
        "Fjordvik University College – Kilimani University of Technology",
        "MoU FUC–KUT – draft for signature",
        ("pdf",),
    ),
    "mou-fjordvik-kilimani-nb": Sample(
        "Fjordvik høgskole – Kilimani University of Technology",
        "Intensjonsavtale FUC–KUT – utkast til signering",
        ("pdf",),
    ),
    "rca-vestland-andes": Sample(
        "Vestland University of Applied Sciences",
        "GLACIAND Research Cooperation Agreement – VUAS-2025/117",
        ("docx",),
    ),
    "exchange-nordhavn-hanbit": Sample(
        "University of Nordhavn · Hanbit National University",
        "Student Exchange Agreement UiN–HNU",
        ("pdf",),
        "reportlab",
    ),
    "dsa-hordafjord-lakeshore": Sample(
        "Hordafjord Regional Health Trust – Hordafjord Cardiovascular Registry",
        "Data Sharing Agreement HCR-DSA-2025-04 – confidential",
        ("docx",),
    ),
    "mou-nordlys-redriver-nb": Sample(
        "Nordlys universitet",
        "Samarbeidsavtale NU–RRU",
        ("pdf",),
    ),
    "forskningsavtale-lofoten-litoral-nb": Sample(
        "Universitetet i Lofoten – Institutt for kystøkologi",
        "Avtale om forskningssamarbeid KYSTFÔR – sak 25/01482",
        ("docx",),
    ),
    "jointlab-fjellheim-novameridian": Sample(
        "Fjellheim University of Technology – Nova Meridian Institute of Advanced Photonics",
        "Joint Laboratory Agreement – partner draft v3",
        ("pdf",),
        "reportlab",
    ),
    "model-nordkyst-capehighlands": Sample(
        "Nordkyst University",
        "Model cooperation agreement NKU–CHU",
        ("docx", "pdf"),
    ),
    "cotutelle-midtfjord-valmont": Sample(
        "University of Midtfjord · Université de Valmont",
        "Cotutelle agreement – L. Fournier",
        ("docx",),
    ),
    # TXT only: consortium-seabridge-excerpt, mou-stadlandet-laane-nn, collab-lakeshore-bremnes
}

HEADING_RE = re.compile(
    r"^(?:Article|ARTICLE|Artikkel|ARTIKKEL|Section|SECTION|§\s*\d|\d+(?:\.\d+)*\.?\s+\S"
    r"|Schedule|Exhibit|Attachment|Annex|Vedlegg)"
)
PLAIN_HEADINGS = {
    "Preamble",
    "Parties",
    "Partene",
    "Partar",
    "Bakgrunn",
    "Innledning",
    "Innleiing",
    "Signatures",
    "Underskrifter",
}
ITEM_RE = re.compile(r"^(?:\(?[a-z]\)|\(\d+\)|\d+\.)\s")


def parse(text: str) -> tuple[list[str], list[tuple[str, object]]]:
    """Split a source text into its title block and a list of (kind, payload) items.

    kinds: "h1"/"h2" (heading text), "item" (indented list paragraph), "p" (paragraph),
    "table" (list of rows, each a list of cells).
    """
    lines = text.splitlines()
    try:
        first_blank = next(i for i, line in enumerate(lines) if not line.strip())
    except StopIteration:
        first_blank = 1
    title = [line.strip() for line in lines[:first_blank] if line.strip()]
    items: list[tuple[str, object]] = []
    table: list[list[str]] = []
    for raw in lines[first_blank:] + [""]:
        line = raw.strip()
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if table:
            items.append(("table", table))
            table = []
        if not line:
            continue
        if is_heading(line):
            top = re.match(r"^\d+\.\d+", line) is None
            items.append(("h1" if top else "h2", line))
        elif ITEM_RE.match(line):
            items.append(("item", line))
        else:
            items.append(("p", line))
    return title, items


def is_heading(line: str) -> bool:
    if line in PLAIN_HEADINGS:
        return True
    return (
        len(line) <= 90 and not line.endswith((".", ";", ":", ",")) and bool(HEADING_RE.match(line))
    )


# --------------------------------------------------------------------------- DOCX


def _add_page_field(paragraph) -> None:
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def build_docx(name: str, meta: Sample, out: Path) -> Path:
    title, items = parse((HERE / f"{name}.txt").read_text(encoding="utf-8"))
    document = docx.Document()
    props = document.core_properties
    props.author = "Agreement analyser sample set"
    props.title = title[0]
    props.created = props.modified = FIXED_DATE
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(11)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)

    header = section.header.paragraphs[0]
    header.text = meta.header
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.text = f"{meta.footer} – page "
    _add_page_field(footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_paragraph(title[0], style="Title")
    for line in title[1:]:
        document.add_paragraph(line, style="Subtitle")
    for kind, payload in items:
        if kind == "h1":
            document.add_heading(str(payload), level=1)
        elif kind == "h2":
            document.add_heading(str(payload), level=2)
        elif kind == "item":
            para = document.add_paragraph(str(payload))
            para.paragraph_format.left_indent = Cm(1.0)
        elif kind == "table":
            rows = payload  # type: ignore[assignment]
            ncols = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=ncols)
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell_text in enumerate(row):
                    cell = table.cell(i, j)
                    cell.text = cell_text
                    if i == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            document.add_paragraph()
        else:
            document.add_paragraph(str(payload))
    path = out / f"{name}.docx"
    document.save(str(path))
    return path


# --------------------------------------------------------------------------- PDF


def soffice_to_pdf(docx_path: Path, outdir: Path) -> Path:
    """Convert with LibreOffice headless, using a private profile so parallel runs don't clash."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    pdf = outdir / (docx_path.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice did not produce {pdf}")
    return pdf


def build_reportlab_pdf(name: str, meta: Sample, out: Path) -> Path:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    fonts = Path("/usr/share/fonts/truetype/dejavu")
    pdfmetrics.registerFont(TTFont("DejaVuSerif", str(fonts / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", str(fonts / "DejaVuSerif-Bold.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(fonts / "DejaVuSans.ttf")))

    body = ParagraphStyle("body", fontName="DejaVuSerif", fontSize=10, leading=13.5, spaceAfter=5)
    item = ParagraphStyle("item", parent=body, leftIndent=18)
    h1 = ParagraphStyle(
        "h1",
        fontName="DejaVuSerif-Bold",
        fontSize=11.5,
        leading=15,
        spaceBefore=9,
        spaceAfter=4,
        keepWithNext=1,
    )
    h2 = ParagraphStyle("h2", parent=h1, fontSize=10.5, spaceBefore=5)
    title_style = ParagraphStyle(
        "title",
        fontName="DejaVuSerif-Bold",
        fontSize=15,
        leading=19,
        alignment=TA_CENTER,
        spaceAfter=6,
    )
    subtitle = ParagraphStyle(
        "subtitle",
        fontName="DejaVuSerif",
        fontSize=11,
        leading=14,
        alignment=TA_CENTER,
        spaceAfter=3,
    )
    cell_style = ParagraphStyle("cell", fontName="DejaVuSerif", fontSize=9, leading=11)

    title, items = parse((HERE / f"{name}.txt").read_text(encoding="utf-8"))
    story: list = [Paragraph(escape(title[0]), title_style)]
    story += [Paragraph(escape(line), subtitle) for line in title[1:]]
    story.append(Spacer(1, 10))
    for kind, payload in items:
        if kind == "table":
            rows = [[Paragraph(escape(c), cell_style) for c in row] for row in payload]  # type: ignore[union-attr]
            table = Table(
                rows,
                repeatRows=1,
                hAlign="LEFT",
                colWidths=[(A4[0] - 5 * cm) / len(rows[0])] * len(rows[0]),
            )
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [table, Spacer(1, 8)]
        else:
            style = {"h1": h1, "h2": h2, "item": item}.get(kind, body)
            story.append(Paragraph(escape(str(payload)), style))

    class NumberedCanvas(rl_canvas.Canvas):
        """Canvas that knows the page count, for "Page X of Y" footers."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab API)
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont("DejaVuSans", 8)
                self.setFillColor(colors.grey)
                self.drawString(2.5 * cm, A4[1] - 1.5 * cm, meta.header)
                self.line(2.5 * cm, A4[1] - 1.65 * cm, A4[0] - 2.5 * cm, A4[1] - 1.65 * cm)
                self.drawString(2.5 * cm, 1.3 * cm, meta.footer)
                self.drawRightString(
                    A4[0] - 2.5 * cm, 1.3 * cm, f"Page {self._pageNumber} of {total}"
                )
                super().showPage()
            super().save()

    path = out / f"{name}.pdf"
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=2.4 * cm,
        bottomMargin=2.2 * cm,
        title=title[0],
        author="Agreement analyser sample set",
        invariant=1,
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return path


# --------------------------------------------------------------------------- main


def build(name: str) -> list[Path]:
    meta = SAMPLES[name]
    made: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="samples-") as tmp:
        scratch = Path(tmp)
        docx_out = HERE if "docx" in meta.formats else scratch
        docx_path: Path | None = None
        if "docx" in meta.formats or ("pdf" in meta.formats and meta.pdf_engine == "soffice"):
            docx_path = build_docx(name, meta, docx_out)
            if "docx" in meta.formats:
                made.append(docx_path)
        if "pdf" in meta.formats:
            if meta.pdf_engine == "reportlab":
                made.append(build_reportlab_pdf(name, meta, HERE))
            else:
                assert docx_path is not None
                made.append(soffice_to_pdf(docx_path, HERE))
    return made


def main(argv: list[str]) -> int:
    names = argv or list(SAMPLES)
    unknown = [n for n in names if n not in SAMPLES]
    if unknown:
        print(f"unknown sample(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    for name in names:
        for path in build(name):
            print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
