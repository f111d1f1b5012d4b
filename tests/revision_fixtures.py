"""Redlined DOCX drafts for the revision, compare and annotate tests.

The agreement is built with python-docx from the shipped sample text
``samples/model-nordkyst-capehighlands.txt`` (one paragraph per line, "Article N – Title"
lines as Heading 2). python-docx has no API for tracked changes, so the redline is added as raw
``w:ins`` / ``w:del`` markup with lxml on top of the python-docx file, the way Word writes it
(ECMA-376 Part 1 §17.13.5: deleted runs hold ``w:delText``; a deleted paragraph mark is
``w:pPr/w:rPr/w:del``). :func:`libreoffice_redline` makes one with LibreOffice instead, from a
flat ODT with ``<text:tracked-changes>``, which LibreOffice converts to w:ins/w:del itself.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "samples" / "model-nordkyst-capehighlands.txt"
PARTNER = "Partner Legal"
DATE = "2026-05-04T10:00:00Z"
_ARTICLE = re.compile(r"^Article (\d+) – ")
# The sample's Article 2 also names "institutional autonomy", which alone keeps academic
# freedom "partial"; without it, the clause lives in Article 3 only, so deleting that article
# must make it missing.
ONLY_ARTICLE_3 = SOURCE.read_text(encoding="utf-8").replace(
    "non-discrimination, institutional autonomy,", "non-discrimination,"
)
_SUBCLAUSE = re.compile(r"^(\d+)\.(\d+) ")

Edit = Callable[[list[Paragraph]], None]


def _w(tag: str, **attrs: str) -> etree._Element:
    element = etree.Element(qn(tag))
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


class _Ids:
    """Revision ids must be unique in a part (w:id)."""

    def __init__(self) -> None:
        self.next = 100

    def __call__(self) -> str:
        self.next += 1
        return str(self.next)


_ID = _Ids()


def _change(kind: str, author: str = PARTNER, date: str = DATE) -> etree._Element:
    return _w(kind, id=_ID(), author=author, date=date)


def _run(text: str, deleted: bool = False) -> etree._Element:
    run = _w("w:r")
    t = etree.SubElement(run, qn("w:delText" if deleted else "w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def delete_paragraph(p: Paragraph, author: str = PARTNER) -> None:
    """Track the deletion of a whole paragraph: its runs and its paragraph mark."""
    element = p._p
    for run in list(element.iter(qn("w:r"))):
        for t in run.iter(qn("w:t")):
            t.tag = qn("w:delText")
        wrapper = _change("w:del", author)
        run.addprevious(wrapper)
        wrapper.append(run)
    ppr = element.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = etree.SubElement(ppr, qn("w:rPr"))
    rpr.append(_change("w:del", author))


def replace_text(p: Paragraph, old: str, new: str, author: str = PARTNER) -> None:
    """Track replacing the first ``old`` in a one-run paragraph by ``new`` (del + ins)."""
    element = p._p
    runs = list(element.iter(qn("w:r")))
    assert len(runs) == 1, "replace_text works on python-docx's one-run paragraphs"
    run = runs[0]
    text = "".join(t.text or "" for t in run.iter(qn("w:t")))
    at = text.index(old)
    before, after = text[:at], text[at + len(old) :]
    pieces: list[etree._Element] = []
    if before:
        pieces.append(_run(before))
    if old:
        deletion = _change("w:del", author)
        deletion.append(_run(old, deleted=True))
        pieces.append(deletion)
    if new:
        insertion = _change("w:ins", author)
        insertion.append(_run(new))
        pieces.append(insertion)
    if after:
        pieces.append(_run(after))
    for piece in pieces:
        run.addprevious(piece)
    element.remove(run)


def insert_paragraph_after(p: Paragraph, text: str, author: str = PARTNER) -> None:
    """Track a new paragraph after ``p``: inserted runs and an inserted paragraph mark."""
    new = copy.deepcopy(p._p)
    for child in [c for c in new if c.tag != qn("w:pPr")]:
        new.remove(child)
    ppr = new.find(qn("w:pPr"))
    if ppr is None:
        ppr = _w("w:pPr")
        new.insert(0, ppr)
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = etree.SubElement(ppr, qn("w:rPr"))
    rpr.append(_change("w:ins", author))
    insertion = _change("w:ins", author)
    insertion.append(_run(text))
    new.append(insertion)
    p._p.addnext(new)


def build_agreement(path: Path, *edits: Edit, text: str | None = None) -> Path:
    """The sample agreement as a python-docx DOCX, with ``edits`` applied as tracked changes."""
    document = docx.Document()
    paragraphs: list[Paragraph] = []
    for line in (text or SOURCE.read_text(encoding="utf-8")).splitlines():
        if not line.strip():
            continue
        if _ARTICLE.match(line) or line == "Signatures":
            paragraphs.append(document.add_heading(line, 2))
        else:
            paragraphs.append(document.add_paragraph(line))
    for edit in edits:
        edit(paragraphs)
    document.save(str(path))
    return path


def _article(paragraphs: list[Paragraph], number: int) -> list[Paragraph]:
    """The heading "Article N – ..." and the paragraphs up to the next article heading."""
    out: list[Paragraph] = []
    inside = False
    for p in paragraphs:
        match = _ARTICLE.match(p.text)
        if match:
            inside = int(match.group(1)) == number
        elif p.text == "Signatures":
            inside = False
        if inside:
            out.append(p)
    return out


def delete_article(number: int) -> Edit:
    def edit(paragraphs: list[Paragraph]) -> None:
        for p in _article(paragraphs, number):
            delete_paragraph(p)

    return edit


def delete_paragraphs_starting(*prefixes: str) -> Edit:
    def edit(paragraphs: list[Paragraph]) -> None:
        for p in paragraphs:
            if p.text.startswith(prefixes):
                delete_paragraph(p)

    return edit


def replace_in(prefix: str, old: str, new: str) -> Edit:
    def edit(paragraphs: list[Paragraph]) -> None:
        target = next(p for p in paragraphs if p.text.startswith(prefix))
        replace_text(target, old, new)

    return edit


def renumber_from(first: int) -> Edit:
    """Shift every article number from ``first`` on by one, and its sub-clause numbers, as a
    redline would after a new article is planned but not yet written."""

    def edit(paragraphs: list[Paragraph]) -> None:
        for p in paragraphs:
            heading = _ARTICLE.match(p.text)
            sub = _SUBCLAUSE.match(p.text)
            number = heading.group(1) if heading else sub.group(1) if sub else None
            if number is None or int(number) < first:
                continue
            old = f"Article {number}" if heading else f"{number}."
            new = f"Article {int(number) + 1}" if heading else f"{int(number) + 1}."
            replace_text(p, old, new)

    return edit


# --- LibreOffice -------------------------------------------------------------------------

_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:body><office:text>
  <text:tracked-changes>
   <text:changed-region text:id="ct1"><text:deletion>
    <office:change-info><dc:creator>{author}</dc:creator><dc:date>2026-05-04T10:00:00</dc:date>
    </office:change-info>{deleted}</text:deletion></text:changed-region>
  </text:tracked-changes>
  {body}
 </office:text></office:body>
</office:document>
"""


def libreoffice_redline(
    workdir: Path, *, delete_article_number: int = 3, text: str | None = None
) -> Path | None:
    """The sample with one article deleted as a LibreOffice tracked change, saved as DOCX by
    LibreOffice itself; None when LibreOffice is not installed."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        return None
    from xml.sax.saxutils import escape

    source_text = text or SOURCE.read_text(encoding="utf-8")
    lines = [line for line in source_text.splitlines() if line.strip()]
    article = [
        i
        for i, line in enumerate(lines)
        if (m := _ARTICLE.match(line)) and int(m.group(1)) == delete_article_number
    ][0]
    end = next(i for i in range(article + 1, len(lines)) if _ARTICLE.match(lines[i]))
    deleted = "".join(f"<text:p>{escape(line)}</text:p>" for line in lines[article:end])
    body = []
    for i, line in enumerate(lines):
        if i == article:
            body.append('<text:p><text:change text:change-id="ct1"/></text:p>')
        if article <= i < end:
            continue
        body.append(f"<text:p>{escape(line)}</text:p>")
    source = workdir / "lo-redline.fodt"
    source.write_text(
        _FODT.format(author=PARTNER, deleted=deleted, body="\n".join(body)), encoding="utf-8"
    )
    profile = (workdir / "lo-profile").resolve().as_uri()
    subprocess.run(
        [
            binary, f"-env:UserInstallation={profile}", "--headless",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(workdir), str(source),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return workdir / "lo-redline.docx"


def comment_on(prefix: str, text: str, author: str = PARTNER) -> Edit:
    """A Word comment by the partner, made with python-docx's own comments API."""

    def edit(paragraphs: list[Paragraph]) -> None:
        target = next(p for p in paragraphs if p.text.startswith(prefix))
        target.part.document.add_comment(target.runs, text=text, author=author, initials="PL")

    return edit


# LibreOffice's PDF export options (writer_pdf_Export filter data): comments exported as PDF
# notes, and in the margin where the installed LibreOffice supports it (7.5 and later).
PDF_WITH_COMMENTS = (
    'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"},'
    '"ExportNotesInMargin":{"type":"boolean","value":"true"}}'
)


def libreoffice_pdf_with_comments(source: Path, outdir: Path) -> Path:
    """DOCX -> PDF by LibreOffice with the comments exported, in a private profile."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    assert binary, "LibreOffice not installed"
    profile = (outdir / "lo-profile").resolve().as_uri()
    subprocess.run(
        [
            binary, f"-env:UserInstallation={profile}", "--headless",
            "--convert-to", PDF_WITH_COMMENTS, "--outdir", str(outdir), str(source),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return outdir / (source.stem + ".pdf")
