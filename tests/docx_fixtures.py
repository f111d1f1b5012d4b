"""DOCX drafts made by real tools for the DOCX reading tests: LibreOffice and python-docx.

* LibreOffice writes the DOCX markup itself: a Writer document (a flat ``.fodt``, written
  here as the input LibreOffice converts) with a text frame, footnotes, endnotes, a comment,
  a header and footer, fields and a table of contents becomes a DOCX with ``wps`` text boxes
  and their VML fallback copies, ``footnotes.xml``, ``comments.xml`` and a TOC field; a
  reportlab PDF opened with LibreOffice's PDF import becomes the "Word file converted from
  PDF", one positioned text box per line.
* python-docx builds the plain agreements; where it has no API for the markup a partner could
  use to hide text (a deleted table row, ``mc:AlternateContent``, a hidden drawing, a content
  control), raw WordprocessingML is added on top with lxml, said so at each builder.

Each builder returns the path and the text a reader sees, so tests compare against what the
draft shows rather than against what the extractor happened to produce.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt, RGBColor
from extract_fixtures import soffice
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

ACADEMIC_FREEDOM = (
    "The Parties shall respect and safeguard academic freedom, including the freedom of "
    "researchers to choose their research questions and methods and to publish their results "
    "without interference from either Party."
)
ACADEMIC_FREEDOM_HEADING = "Article 6 Academic freedom"
BASE_ARTICLES = [
    ("Article 1 Purpose", "The Parties shall cooperate on marine research."),
    ("Article 2 Term", "This Agreement enters into force on signature and lasts five years."),
]


def libreoffice_convert(source: Path, outdir: Path, target: str, *infilter: str) -> Path:
    """Convert with LibreOffice headless in a private profile (parallel runs do not clash)."""
    binary = soffice()
    assert binary, "LibreOffice not installed"
    profile = (outdir / "lo-profile").resolve().as_uri()
    command = [binary, f"-env:UserInstallation={profile}", "--headless"]
    command += [f"--infilter={name}" for name in infilter]
    command += ["--convert-to", target, "--outdir", str(outdir), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    out = outdir / (source.stem + "." + target.split(":")[0])
    assert out.exists(), f"LibreOffice wrote no {out.name}"
    return out


# --- LibreOffice: converted from PDF -------------------------------------------------------

CONVERTED_ARTICLES = [
    (f"Article {n} {title}", body)
    for n, (title, body) in enumerate(
        [
            ("Purpose", "The Parties shall cooperate on marine research in the Barents Sea."),
            ("Term", "This Agreement enters into force on signature and lasts five years."),
            ("Funding", "Each Party shall bear its own costs unless agreed otherwise in writing."),
            ("Reciprocity", "The Parties shall give each other equal access to facilities."),
            ("Publications", "Each Party may publish the results of the joint research."),
            ("Academic freedom", ACADEMIC_FREEDOM),
            (
                "Data management",
                "Research data shall be managed according to a data management plan agreed "
                "by both Parties and stored for ten years after the end of the project.",
            ),
            (
                "Termination",
                "Either Party may terminate this Agreement by six months' written notice.",
            ),
        ],
        start=1,
    )
]


def build_converted_from_pdf(directory: Path) -> tuple[Path, list[str]]:
    """A reportlab PDF of eight articles, opened in LibreOffice Writer through its PDF import
    and saved as DOCX: every line becomes its own positioned text box (``wps`` with a VML
    fallback copy), anchored in one empty body paragraph. Returns the path and the paragraphs
    a reader sees."""
    styles = getSampleStyleSheet()
    story = []
    for heading, body in CONVERTED_ARTICLES:
        story += [Paragraph(heading, styles["Heading2"]), Paragraph(body, styles["BodyText"])]
    pdf = directory / "converted.pdf"
    SimpleDocTemplate(str(pdf), pagesize=A4).build(story)
    path = libreoffice_convert(pdf, directory, "docx", "writer_pdf_import")
    return path, [text for pair in CONVERTED_ARTICLES for text in pair]


# --- LibreOffice: a Writer draft with every part ------------------------------------------

LETTERHEAD = "Nordvik University · Personal data is processed in line with the GDPR"
FOOTER = "Draft 3 of the cooperation agreement, page"
COMMENT = "Consider deleting the data clause"
FOOTNOTE = "Research data means data collected in the joint projects."
ENDNOTE = "Signed in two originals, one for each Party."
FRAME = "Article 6 Academic freedom. " + ACADEMIC_FREEDOM
TOC_LINES = ["Article 5 Data management\t1", "Article 6 Academic freedom\t1"]

_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"/>
  </style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header><text:p>{letterhead}</text:p></style:header>
   <style:footer><text:p>{footer} <text:page-number>1</text:page-number></text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body><office:text>
  <text:table-of-content text:name="Contents">
   <text:table-of-content-source text:outline-level="2"/>
   <text:index-body>
    <text:index-title text:name="Contents_Head"><text:p>Contents</text:p></text:index-title>
    {toc}
   </text:index-body>
  </text:table-of-content>
  <text:h text:outline-level="1">Article 5 Data management</text:h>
  <text:p>The Parties shall manage research data responsibly.<text:note text:id="ftn1"
   text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>
   <text:p>{footnote}</text:p></text:note-body
   ></text:note> Data shall be stored securely.<office:annotation
   ><dc:creator>Legal</dc:creator><text:p>{comment}</text:p></office:annotation></text:p>
  <text:p>This draft was printed on page <text:page-number>1</text:page-number> today.</text:p>
  <text:p><draw:frame draw:name="Frame1" text:anchor-type="paragraph" svg:width="15cm"
   svg:height="3cm"><draw:text-box><text:p>{frame}</text:p></draw:text-box></draw:frame>The
   frame above holds Article 6.</text:p>
  <text:p>Done in Tromsø.<text:note text:id="edn1" text:note-class="endnote"
   ><text:note-citation>i</text:note-citation><text:note-body><text:p>{endnote}</text:p
   ></text:note-body></text:note></text:p>
 </office:text></office:body>
</office:document>
"""


def build_writer_draft(directory: Path) -> tuple[Path, list[tuple[str, str | None]]]:
    """A Writer draft saved as DOCX by LibreOffice: letterhead header, footer with a PAGE
    field, a table of contents, a footnote and an endnote, a comment and a text frame.
    Returns the path and the (text, part) blocks a reader of the body sees, in order."""
    toc = "".join(f"<text:p>{line.replace(chr(9), '<text:tab/>')}</text:p>" for line in TOC_LINES)
    source = directory / "writer-draft.fodt"
    source.write_text(
        _FODT.format(
            letterhead=LETTERHEAD,
            footer=FOOTER,
            toc=toc,
            footnote=FOOTNOTE,
            comment=COMMENT,
            frame=FRAME,
            endnote=ENDNOTE,
        ),
        encoding="utf-8",
    )
    path = libreoffice_convert(source, directory, "docx:MS Word 2007 XML")
    expected: list[tuple[str, str | None]] = [
        ("Article 5 Data management", None),
        (
            "The Parties shall manage research data responsibly. Data shall be stored securely.",
            None,
        ),
        (FOOTNOTE, "footnote 1"),
        ("This draft was printed on page 1 today.", None),
        ("The frame above holds Article 6.", None),
        (FRAME, None),
        ("Done in Tromsø.", None),
        (ENDNOTE, "endnote i"),
    ]
    return path, expected


# --- python-docx: an article hidden each way Word allows -----------------------------------

_UNKNOWN_NS = "http://example.invalid/2031/wordml"
# Each way a partner can keep Article 6 in the file while no reader sees it, and the reason the
# extractor must give. "visible" is the control: the same article, shown.
HIDDEN_WAYS: dict[str, str | None] = {
    "visible": None,
    "vanish": "hidden_run",
    "character_style": "hidden_run",
    "paragraph_style": "hidden_run",
    "tiny_font": "tiny_font",
    "white_on_white": "invisible_colour",
    "same_as_shading": "invisible_colour",
    "deleted_row": "deleted_row",
    "alternate_content": "alternate_content",
}


def build_hidden_article_docx(path: Path, way: str) -> Path:
    """Articles 1-2 visible, then Article 6 (academic freedom) hidden in the given ``way``.

    python-docx's own API writes ``w:vanish`` (``font.hidden``, also in a character or
    paragraph style), 1-pt text and white text. Raw markup is added with lxml where python-docx
    has none: paragraph shading in the text's colour (``w:pPr/w:shd``), a table row that is a
    pending deletion (``w:trPr/w:del``), and an ``mc:AlternateContent`` whose Choice requires
    a namespace Word does not know (Word shows the Fallback, "Reserved.").
    """
    document = docx.Document()
    document.add_heading("Research Cooperation Agreement", 0)
    for heading, body in BASE_ARTICLES:
        document.add_paragraph(heading)
        document.add_paragraph(body)
    lines = [ACADEMIC_FREEDOM_HEADING, ACADEMIC_FREEDOM]
    if way == "deleted_row":
        table = document.add_table(rows=2, cols=1)
        table.cell(0, 0).text = "Schedule of articles"
        table.cell(1, 0).text = "\n".join(lines)
        row = table.rows[1]._tr
        row.get_or_add_trPr().append(
            parse_xml(
                f'<w:del {nsdecls("w")} w:id="7" w:author="Partner" w:date="2025-03-01T00:00:00Z"/>'
            )
        )
    elif way == "alternate_content":
        paragraph = document.add_paragraph()
        paragraph._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/'
                f'markup-compatibility/2006" xmlns:x31="{_UNKNOWN_NS}">'
                '<mc:AlternateContent><mc:Choice Requires="x31">'
                f"<w:t>{' '.join(lines)}</w:t></mc:Choice>"
                "<mc:Fallback><w:t>Reserved.</w:t></mc:Fallback></mc:AlternateContent></w:r>"
            )
        )
    else:
        style = None
        if way == "character_style":
            style = document.styles.add_style("Margin note", WD_STYLE_TYPE.CHARACTER)
            style.font.hidden = True
        if way == "paragraph_style":
            hidden_style = document.styles.add_style("Internal", WD_STYLE_TYPE.PARAGRAPH)
            hidden_style.font.hidden = True
        for line in lines:
            paragraph = document.add_paragraph(
                style="Internal" if way == "paragraph_style" else None
            )
            run = paragraph.add_run(line, style=style.name if style is not None else None)
            if way == "vanish":
                run.font.hidden = True
            elif way == "tiny_font":
                run.font.size = Pt(1)
            elif way == "white_on_white":
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            elif way == "same_as_shading":
                run.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
                paragraph._p.get_or_add_pPr().append(
                    parse_xml(
                        f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="1F3864"/>'
                    )
                )
    document.add_paragraph("Article 7 Signatures")
    document.add_paragraph("Signed in two originals.")
    document.save(str(path))
    return path


CONTROLLED = "The Parties shall keep each other informed of all security incidents."
INLINE_CONTROLLED = "Tromsø"


def build_content_controls_docx(path: Path) -> Path:
    """A python-docx draft with content controls (python-docx has no API for them; ``w:sdt``
    added with lxml as Word writes it): one around a whole paragraph, one inside a paragraph
    around a run, each with a placeholder reference in its properties that is not text."""
    document = docx.Document()
    document.add_paragraph("Article 9 Security")
    body = document.element.body
    body.insert(
        len(body) - 1,  # before the final w:sectPr
        parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="Clause"/><w:tag w:val="c9"/>'
            '<w:placeholder><w:docPart w:val="DefaultPlaceholder"/></w:placeholder></w:sdtPr>'
            f"<w:sdtContent><w:p><w:r><w:t>{CONTROLLED}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    place = document.add_paragraph("Done in ")
    place._p.append(
        parse_xml(
            f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="Place"/></w:sdtPr><w:sdtContent>'
            f"<w:r><w:t>{INLINE_CONTROLLED}</w:t></w:r></w:sdtContent></w:sdt>"
        )
    )
    place.add_run(".")
    document.save(str(path))
    return path
