"""Builders for PDFs that test what a reader sees and how the page is laid out.

reportlab draws every page (render modes, colours, positions, clip paths, two columns);
pikepdf post-processes where reportlab has no API: optional content groups (OCProperties and a
``/OC ... BDC`` marked-content sequence around one text object), ``/ActualText`` spans,
embedded file attachments and an XFA form entry. The post-processing edits only the markup
named in each docstring, on top of the real reportlab file.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from pathlib import Path

import docx
import pikepdf
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt
from extract_fixtures import _add_page_field
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


LYING_FONT_WAYS = ("simple_font", "cid_truetype", "truetype_copy")
DEJAVU_SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def build_lying_to_unicode_pdf(path: Path, way: str, *, cipher: bool = False) -> Path:
    """The draft whose page shows :data:`DECOY_LINE` in a font of its own, whose ToUnicode map
    (ISO 32000-1 § 9.10.3) has been edited so that the text layer reads the whole hidden
    article: the code of the decoy's "A" maps to the article's first half, that of its "." to
    the second half, its other letters to a zero-width space.

    ``simple_font``: reportlab draws the decoy in Helvetica-Oblique (a standard Type1 font
    with /WinAnsiEncoding, so its glyph names are known) and pikepdf adds the ToUnicode
    stream. ``cid_truetype``: Chromium (Skia) prints an HTML draft with the decoy in DejaVu
    Serif (a Type0 font, Identity-H, whose embedded TrueType subset keeps its Unicode cmap)
    and pikepdf replaces that font's ToUnicode stream. ``truetype_copy``: reportlab draws the
    whole draft, decoy included, in an embedded DejaVu Serif subset (symbolic TrueType, no
    Encoding, no Unicode cmap: its map is the only reading); pikepdf adds a copy of that font
    dictionary (same font program), points the decoy's ``Tf`` at the copy and gives the copy
    the edited map — as an editor of the file would.

    ``cipher=True`` makes the lie one letter for one letter instead (ROT13 of each letter),
    the edit no glyph-for-sentence rule can see.
    """
    article = " ".join(HIDDEN_ARTICLE)
    half = article.index(" Researchers")
    lies = {"A": article[:half], ".": article[half:]}

    def lie(text: str) -> str:
        if cipher:
            return codecs.encode(text, "rot13")
        return lies.get(text, "\u200b")

    if way == "truetype_copy":
        return _edited_font_copy(path, lie)
    if way == "simple_font":
        c, y = _draft_canvas(io.BytesIO())
        c.setFont("Helvetica-Oblique", 10)
        c.drawString(60, y, DECOY_LINE)
        c.showPage()
        c.save()
        data, font_name, code_bytes = c.getpdfdata(), "/Helvetica-Oblique", 1
        honest = {ord(ch): ch for ch in DECOY_LINE}
    elif way == "cid_truetype":
        data, font_name, code_bytes = _chromium_draft_pdf(path.parent), "DejaVuSerif", 2
        honest = {}
    else:
        raise ValueError(way)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            if font_name not in str(font.BaseFont):
                continue
            if "/ToUnicode" in font:
                honest = _read_to_unicode(font.ToUnicode.read_bytes())
            mapping = {code: lie(text) for code, text in honest.items() if text.strip()}
            font.ToUnicode = pdf.make_stream(_to_unicode_cmap(mapping, code_bytes))
        pdf.save(path)
    return path


def _edited_font_copy(path: Path, lie: Callable[[str], str]) -> Path:
    """See :func:`build_lying_to_unicode_pdf` (``truetype_copy``)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSerif", str(DEJAVU_SERIF)))
    c = canvas.Canvas(io.BytesIO(), pagesize=A4)
    c.setFont("DejaVuSerif", 10)
    y = 780.0
    for line in [*DRAFT_LINES, "", DECOY_LINE]:
        if line:
            c.drawString(60, y, line)
        y -= 14
    c.showPage()
    with pikepdf.open(io.BytesIO(c.getpdfdata())) as pdf:  # getpdfdata() also saves
        page = pdf.pages[0]
        fonts = page.Resources.Font
        key, font = next((k, f) for k, f in fonts.items() if "DejaVuSerif" in str(f.BaseFont))
        copy = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in font.items()}))
        honest = _read_to_unicode(font.ToUnicode.read_bytes())
        copy.ToUnicode = pdf.make_stream(
            _to_unicode_cmap({c: lie(t) for c, t in honest.items() if t.strip()}, 1)
        )
        fonts["/FLie"] = copy
        ops = list(pikepdf.parse_content_stream(page))
        last_tf = max(i for i, op in enumerate(ops) if str(op.operator) == "Tf")
        ops[last_tf] = pikepdf.ContentStreamInstruction(
            [pikepdf.Name("/FLie"), *list(ops[last_tf].operands)[1:]], pikepdf.Operator("Tf")
        )
        assert str(ops[last_tf].operands[0]) == "/FLie" and key != "/FLie"
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
        pdf.save(path)
    return path


def _chromium_draft_pdf(folder: Path) -> bytes:
    """The draft as HTML printed to PDF by Debian's headless Chromium."""
    import html
    import subprocess

    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in DRAFT_LINES if line)
    page = folder / "lying-draft.html"
    page.write_text(
        "<html><body style=\"font-family: 'DejaVu Sans'; font-size: 10pt\">"
        f"{paragraphs}<p style=\"font-family: 'DejaVu Serif'\">{html.escape(DECOY_LINE)}</p>"
        "</body></html>",
        encoding="utf-8",
    )
    target = folder / "lying-draft-chromium.pdf"
    subprocess.run(
        ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return target.read_bytes()


def _read_to_unicode(cmap: bytes) -> dict[int, str]:
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap

    parsed = FileUnicodeMap()
    CMapParser(parsed, io.BytesIO(cmap)).run()
    return dict(parsed.cid2unichr)


def _to_unicode_cmap(mapping: dict[int, str], code_bytes: int) -> bytes:
    """A ToUnicode CMap in the form § 9.10.3 gives (bfchar entries only)."""
    width = 2 * code_bytes
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", f"<{'0' * width}> <{'F' * width}>", "endcodespacerange",
    ]  # fmt: skip
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:0{width}X}> <{text.encode('utf-16-be').hex()}>" for code, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


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


# --- layouts made by LibreOffice from python-docx drafts ------------------------------------

RUNNING_HEADER = "Research Cooperation Agreement Nordvik-Riverside, draft 3"
LETTERHEAD = ["Nordvik University", "Faculty of Natural Sciences, P.O. Box 1100, 9037 Nordvik"]
PRIVACY_FOOTER = (
    "Nordvik University processes personal data in accordance with the GDPR. Our privacy "
    "notice and the contact details of our data protection officer are at nordvik.no/privacy."
)
TOC_ENTRIES = [
    ("Section 1: Purpose", 2),
    ("Section 2: Definitions", 2),
    ("Section 3: Data management", 3),
    ("Section 11: Research integrity", 16),
]
# Words a justified, hyphenated line break must not damage: (word, soft-hyphen position).
HYPHEN_WORDS = [
    ("management", 4),  # mana-gement
    ("confidentiality", 6),  # confid-entiality
    ("implementation", 5),  # imple-mentation
    ("researcher-months", None),  # a real compound: the hyphen stays
    ("co-operation", None),
]
_SOFT_HYPHEN = "\u00ad"
BODY_SENTENCES = [
    "The Parties shall carry out the joint research programme described in Annex 1 with "
    "due care and in accordance with good scientific practice.",
    "Each Party shall contribute the staff, equipment and funding set out in the work plan, "
    "and shall inform the other Party without delay of any change that affects the work.",
    "The steering committee shall meet at least twice a year to review progress, approve "
    "the annual report and decide on changes to the work plan.",
    "Results shall be published in accordance with the publication policy of the Parties, "
    "and every publication shall acknowledge the support of both Parties.",
]


def _hyphenable(word: str, cut: int | None) -> str:
    return word if cut is None else word[:cut] + _SOFT_HYPHEN + word[cut:]


def _hyphen_paragraphs() -> list[str]:
    """Paragraphs that put each test word at many positions along a justified line, so that
    LibreOffice breaks it at the line end in several of them."""
    out = []
    lead = "The Parties agree that the plan for"
    for shift in range(0, 12):
        words = " ".join(_hyphenable(w, c) for w, c in HYPHEN_WORDS)
        pad = " ".join(["joint"] * shift)
        out.append(
            f"{lead} {pad} {words} shall be reviewed every year by the steering committee, "
            f"and the total of researcher-months and the {_hyphenable('management', 4)} of "
            f"{_hyphenable('implementation', 5)} shall be reported."
        )
    return out


def _set_cell_margins_free(table: object) -> None:
    """No borders: the bilingual side-by-side layout is a table nobody sees."""
    tbl = table._tbl  # type: ignore[attr-defined]
    borders = parse_xml(
        f"<w:tblBorders {nsdecls('w')}>"
        + "".join(
            f'<w:{edge} w:val="nil"/>'
            for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders>"
    )
    tbl.tblPr.append(borders)


def build_layout_docx(path: Path) -> Path:
    """A three-page agreement as Word users send it: letterhead (first-page header), running
    header, a privacy footer and page numbers on every page, a table of contents with dot
    leaders, justified paragraphs with optional hyphens, and paragraphs that cross a page.

    python-docx writes everything but the PAGE field and the table's nil borders (raw
    ``w:fldSimple``/``w:tblBorders``, which python-docx has no API for)."""
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.paragraphs[0].text = LETTERHEAD[0]
    first.add_paragraph(LETTERHEAD[1])
    for footer in (section.first_page_footer, section.footer):
        footer.paragraphs[0].text = PRIVACY_FOOTER
        for run in footer.paragraphs[0].runs:
            run.font.size = Pt(7)
        number = footer.add_paragraph("Page ")
        _add_page_field(number)
    section.header.paragraphs[0].text = RUNNING_HEADER

    document.add_heading("Research Cooperation Agreement", 0)
    document.add_paragraph("Contents")
    for title, page in TOC_ENTRIES:
        entry = document.add_paragraph(f"{title}\t{page}")
        entry.paragraph_format.tab_stops.add_tab_stop(
            Cm(16), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
    sections = [
        "Section 1: Purpose",
        "Section 2: Definitions",
        "Section 3: Data management",
        "Section 4: Joint work",
    ]
    for n, heading in enumerate(sections):
        document.add_heading(heading, 1)
        for k in range(3):
            text = " ".join(BODY_SENTENCES[(n + k + i) % len(BODY_SENTENCES)] for i in range(3))
            document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if n == 2:
            for text in _hyphen_paragraphs():
                document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    document.save(str(path))
    return path


BILINGUAL = [
    ("3. Academic freedom", "3. Akademisk frihet"),
    (
        "The Parties shall respect academic freedom and institutional autonomy in all joint "
        "activities under this Agreement.",
        "Partene skal respektere akademisk frihet og institusjonell autonomi i all felles "
        "virksomhet under denne avtalen.",
    ),
    ("4. Data management", "4. Datahåndtering"),
    (
        "The Parties shall agree a data management plan before any research data are "
        "collected or shared between them.",
        "Partene skal bli enige om en datahåndteringsplan før forskningsdata samles inn eller "
        "deles mellom dem.",
    ),
]


def build_bilingual_docx(path: Path, *, table: bool) -> Path:
    """English beside Norwegian: a borderless two-column table (``table=True``) or a
    two-column section with a column break (``w:cols``/``w:br w:type="column"``, raw XML:
    python-docx has no API for them)."""
    document = docx.Document()
    document.add_heading("Cooperation Agreement / Samarbeidsavtale", 1)
    if table:
        grid = document.add_table(rows=len(BILINGUAL), cols=2)
        _set_cell_margins_free(grid)
        for r, (en, nb) in enumerate(BILINGUAL):
            for c, text in enumerate((en, nb)):
                cell = grid.cell(r, c)
                cell.text = text
                if r % 2 == 0:
                    cell.paragraphs[0].runs[0].bold = True
    else:
        body = document.add_paragraph("")
        section = document.sections[0]
        section._sectPr.append(  # type: ignore[attr-defined]
            parse_xml(f'<w:cols {nsdecls("w")} w:num="2" w:space="720"/>')
        )
        for lang in (0, 1):
            for r, pair in enumerate(BILINGUAL):
                paragraph = document.add_paragraph(pair[lang])
                if r % 2 == 0:
                    paragraph.runs[0].bold = True
            if lang == 0:
                document.add_paragraph().add_run()._r.append(  # type: ignore[attr-defined]
                    parse_xml(f'<w:br {nsdecls("w")} w:type="column"/>')
                )
        del body
    document.save(str(path))
    return path


LETTER_BODY = [
    "Letter of intent",
    "Nordvik University and Riverside Institute of Technology intend to cooperate on joint "
    "research in marine biology and to exchange doctoral candidates from the autumn term.",
    "The Parties intend to negotiate a cooperation agreement within six months of the date "
    "of this letter. This letter does not create legal obligations for either Party.",
    "Oslo, 3 March 2025",
]


def build_letter_docx(path: Path, *, letterhead: bool) -> Path:
    """A one-page letter of intent; with ``letterhead`` its header carries the university's
    name and postal address and its footer the GDPR privacy notice (the footer that once made
    data management "present")."""
    document = docx.Document()
    if letterhead:
        section = document.sections[0]
        section.header.paragraphs[0].text = LETTERHEAD[0]
        section.header.add_paragraph(LETTERHEAD[1])
        section.footer.paragraphs[0].text = PRIVACY_FOOTER
        for run in section.footer.paragraphs[0].runs:
            run.font.size = Pt(7)
    document.add_heading(LETTER_BODY[0], 1)
    for text in LETTER_BODY[1:]:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def build_ocr_layer_pdf(path: Path) -> Path:
    """A scanned page as OCR tools write it: a page image with the recognised text over it
    in render mode 3 (invisible) — the image shows what the text says, so it is not hidden."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    scan = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(scan)
    for row, line in enumerate(DRAFT_LINES):
        draw.text((120, 100 + row * 30), line, fill=0)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(scan), 0, 0, width=A4[0], height=A4[1])
    text = c.beginText(60, 780)
    text.setFont("Helvetica", 10)
    text.setTextRenderMode(3)
    for line in DRAFT_LINES:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return path
