"""Answer inside the draft: a DOCX copy with the findings as Word comments and the missing
wording as tracked insertions.

Reads only the :class:`~analyser.report.Report` and the original bytes. Evidence in a report is
a verbatim slice of the extracted text, and the extractor reads a paragraph's text exactly as
:func:`analyser.extract.docx.paragraph_text` does, so a quote is found again by searching the
paragraphs' text; the matching runs are split at the quote's first and last character so the
comment covers the sentence, not the whole paragraph.

Only ``word/document.xml``, the comments part, the document's relationships and
``[Content_Types].xml`` are rewritten; every other ZIP member is copied byte for byte, and
comments and tracked changes already in the draft are kept (new ids start above the highest
id in use). A Strict OOXML draft comes back as Transitional (its namespace names renamed,
as :mod:`analyser.extract.strict` reads it). Markup follows ECMA-376 Part 1: comments
§17.13.4, insertions §17.13.5.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from analyser.annotate.findings import Finding, Wording, findings, gaps, wording
from analyser.errors import CorruptDocument
from analyser.extract.container import replace_members
from analyser.extract.strict import transitional_from_strict
from analyser.report import ClauseResult, Report

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
DOCUMENT = "word/document.xml"
RELS = "word/_rels/document.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_ARTICLE = re.compile(
    r"^(?P<word>Article|Artikkel|Artikel|Clause|Section|§)\s*(?P<num>\d{1,3})(?P<sep>\s*[-–—:.]?\s*)",
    re.IGNORECASE,
)
_SUBCLAUSE = re.compile(r"^(?P<top>\d{1,3})\.(?P<sub>\d{1,3})\.?\s")


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


# What a paragraph's text is made of, as the extractor reads it: text, tabs and breaks, with
# deleted or moved-away revisions, field instructions, properties and drawings left out.
_INLINE = {w("tab"): "\t", w("br"): "\n", w("cr"): "\n", w("noBreakHyphen"): "-"}
_NOT_TEXT = frozenset(
    w(t)
    for t in (
        "pPr", "rPr", "del", "moveFrom", "instrText", "delInstrText", "drawing", "pict",
        "object", "footnoteReference", "endnoteReference", "commentReference",
    )
)  # fmt: skip


def paragraph_text(element: etree._Element) -> str:
    """Visible text of a ``w:p`` (or of a run): tracked insertions in, deletions out."""
    out: list[str] = []

    def collect(parent: etree._Element) -> None:
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str) or tag in _NOT_TEXT:
                continue
            if tag == w("t"):
                out.append(child.text or "")
            elif tag in _INLINE:
                out.append(_INLINE[tag])
            else:
                collect(child)

    collect(element)
    return "".join(out)


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Ids:
    """w:id values above every id already in the parts (comments and revisions alike)."""

    next: int

    @classmethod
    def above(cls, *roots: etree._Element) -> _Ids:
        highest = 0
        for root in roots:
            for element in root.iter():
                value = element.get(w("id")) if isinstance(element.tag, str) else None
                if value and value.lstrip("-").isdigit():
                    highest = max(highest, int(value))
        return cls(highest + 1)

    def __call__(self) -> str:
        self.next += 1
        return str(self.next - 1)


@dataclass
class Annotated:
    """What :func:`annotate_docx` wrote, for the CLI's message and the tests."""

    data: bytes
    comments: int
    insertions: int
    findings: list[Finding] = field(default_factory=list)


def annotate_docx(report: Report, data: bytes, *, now: datetime | None = None) -> Annotated:
    """A copy of the DOCX ``data`` with ``report``'s findings as comments and its gaps'
    suggested wording as tracked insertions by the analyser."""
    words = wording()
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # A Strict OOXML draft (read by the extractor the same way) is annotated as the
    # Transitional package Word writes by default: the same document under the namespace
    # names this writer uses; without this it was refused as "DOCX without a body".
    data = transitional_from_strict(data) or data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {n: archive.read(n) for n in (DOCUMENT, RELS, CONTENT_TYPES)}
            rels = etree.fromstring(parts[RELS], _PARSER)
            comments_name = _comments_target(rels)
            names = set(archive.namelist())
            comments_xml = archive.read(comments_name) if comments_name in names else None
        document = etree.fromstring(parts[DOCUMENT], _PARSER)
        comments = (
            etree.fromstring(comments_xml, _PARSER)
            if comments_xml
            else etree.Element(w("comments"), nsmap={"w": W_NS})
        )
        content_types = etree.fromstring(parts[CONTENT_TYPES], _PARSER)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as e:
        raise CorruptDocument(f"cannot annotate this DOCX: {e}", report.document.name) from e
    body = document.find(w("body"))
    if body is None:
        raise CorruptDocument("DOCX without a body", report.document.name)
    writer = _Writer(body, comments, _Ids.above(document, comments), words, stamp)
    inserted = {
        clause.id: writer.insert_suggestion(clause, report.document.language)
        for clause in gaps(report)
    }
    notes = findings(report)
    for finding in notes:
        writer.comment(finding, inserted.get(finding.clause_id or ""))
    if comments_name is None:
        comments_name = "word/comments.xml"
        _add_relationship(rels)
    _add_override(content_types, "/" + comments_name)
    replaced = {
        DOCUMENT: _xml(document),
        comments_name: _xml(comments),
        RELS: _xml(rels),
        CONTENT_TYPES: _xml(content_types),
    }
    return Annotated(replace_members(data, replaced), len(notes), len(inserted), notes)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _comments_target(rels: etree._Element) -> str | None:
    for rel in rels.iter(f"{{{R_NS}}}Relationship"):
        if rel.get("Type") == COMMENTS_REL and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"word/{target}"
    return None


def _add_relationship(rels: etree._Element) -> None:
    used = {rel.get("Id") for rel in rels}
    number = len(used) + 1
    while f"rId{number}" in used:
        number += 1
    rel = etree.SubElement(rels, f"{{{R_NS}}}Relationship")
    rel.set("Id", f"rId{number}")
    rel.set("Type", COMMENTS_REL)
    rel.set("Target", "comments.xml")


def _add_override(content_types: etree._Element, part: str) -> None:
    for override in content_types.iter(f"{{{CT_NS}}}Override"):
        if override.get("PartName") == part:
            return
    override = etree.SubElement(content_types, f"{{{CT_NS}}}Override")
    override.set("PartName", part)
    override.set("ContentType", COMMENTS_TYPE)


def _inside_text_box(p: etree._Element) -> bool:
    return any(a.tag == w("txbxContent") for a in p.iterancestors())


class _Writer:
    def __init__(
        self,
        body: etree._Element,
        comments: etree._Element,
        ids: _Ids,
        words: Wording,
        stamp: str,
    ) -> None:
        self.body, self.comments, self.ids, self.words, self.stamp = (
            body,
            comments,
            ids,
            words,
            stamp,
        )
        self.paragraphs = [p for p in body.iter(w("p")) if not _inside_text_box(p)]
        self.texts = [_norm(paragraph_text(p)) for p in self.paragraphs]
        self.next_article = self._last_article_number() + 1

    # --- where things are ------------------------------------------------------------------

    def find(self, quote: str) -> int | None:
        """Index of the paragraph holding ``quote`` (a table cell's quote: its first line)."""
        for candidate in (_norm(quote), _norm(quote.split("\n")[0])[:120]):
            if not candidate:
                continue
            for i, text in enumerate(self.texts):
                if candidate in text:
                    return i
        return None

    def _first_text_paragraph(self) -> etree._Element:
        for p, text in zip(self.paragraphs, self.texts, strict=True):
            if text:
                return p
        return self.paragraphs[0] if self.paragraphs else self._append_paragraph()

    def _append_paragraph(self) -> etree._Element:
        p = etree.Element(w("p"))
        sect = self.body.find(w("sectPr"))
        if sect is not None:
            sect.addprevious(p)
        else:
            self.body.append(p)
        self.paragraphs.append(p)
        self.texts.append("")
        return p

    def _is_heading(self, i: int) -> bool:
        ppr = self.paragraphs[i].find(w("pPr"))
        style = ppr.find(w("pStyle")) if ppr is not None else None
        name = (style.get(w("val")) or "") if style is not None else ""
        return bool(_ARTICLE.match(self.texts[i])) or name.lower().startswith(("heading", "title"))

    def _last_article_number(self) -> int:
        numbers = [int(m.group("num")) for t in self.texts if (m := _ARTICLE.match(t))]
        return max(numbers, default=0)

    def _signature_index(self) -> int | None:
        half = len(self.paragraphs) // 2
        for i in range(half, len(self.paragraphs)):
            if self.words.signature_block.match(self.texts[i]):
                return i
        return None

    def _article_end(self, i: int) -> int:
        """Index of the last paragraph of the article paragraph ``i`` belongs to."""
        signature = self._signature_index()
        for j in range(i + 1, len(self.paragraphs)):
            if self._is_heading(j) or (signature is not None and j >= signature):
                return j - 1
        return len(self.paragraphs) - 1

    # --- tracked insertions ----------------------------------------------------------------

    def insert_suggestion(self, clause: ClauseResult, language: str) -> etree._Element:
        """Insert the clause's suggested wording as tracked paragraphs; return the first.

        A partial clause gets it after the article its best evidence is in, numbered as the
        article's next sub-clause when the article numbers its paragraphs by hand; a missing
        clause gets a new article before the signature block, numbered after the last one.
        """
        paragraphs = [_norm(p) for p in re.split(r"\n\s*\n", clause.suggestion or "") if p.strip()]
        where = self.find(clause.evidence[0].text) if clause.evidence else None
        if clause.status == "partial" and where is not None:
            end = self._article_end(where)
            model = self.paragraphs[end]
            sub = self._next_subclause(where, end)
            if sub:
                paragraphs[0] = f"{sub} {paragraphs[0]}"
            return self._insert_after(model, paragraphs, model)
        title = self.words.title(clause.id, language, clause.title)
        heading_model = next(
            (self.paragraphs[i] for i, t in enumerate(self.texts) if _ARTICLE.match(t)), None
        )
        if heading_model is not None:
            m = _ARTICLE.match(self.texts[self.paragraphs.index(heading_model)])
            assert m is not None
            sep = m.group("sep") or " "
            heading = f"{m.group('word')} {self.next_article}{sep}{title}"
        else:
            word = self.words.article_word.get(language, "Article")
            heading = f"{word} {self.next_article} – {title}"
        self.next_article += 1
        signature = self._signature_index()
        if signature is not None and signature > 0:
            anchor = self.paragraphs[signature - 1]
        else:
            anchor = self._last_text_paragraph()
        body_model = anchor if not self._is_heading(self.paragraphs.index(anchor)) else None
        first = self._insert_after(anchor, [heading], heading_model)
        self._insert_after(first, paragraphs, body_model)
        return first

    def _last_text_paragraph(self) -> etree._Element:
        for p, text in zip(reversed(self.paragraphs), reversed(self.texts), strict=True):
            if text and p.getparent() is self.body:
                return p
        return self._append_paragraph()

    def _next_subclause(self, start: int, end: int) -> str | None:
        subs = [m for t in self.texts[start : end + 1] if (m := _SUBCLAUSE.match(t))]
        if not subs:
            return None
        top = subs[-1].group("top")
        return f"{top}.{max(int(m.group('sub')) for m in subs if m.group('top') == top) + 1}"

    def _insert_after(
        self,
        anchor: etree._Element,
        texts: list[str],
        model: etree._Element | None,
    ) -> etree._Element:
        """Tracked paragraphs after ``anchor`` (a paragraph of the body or a table cell)."""
        first: etree._Element | None = None
        previous = anchor
        for text in texts:
            p = etree.Element(w("p"))
            ppr = _clean_ppr(model)
            rpr = ppr.find(w("rPr"))
            if rpr is None:
                rpr = etree.SubElement(ppr, w("rPr"))
            rpr.append(self._change("ins"))
            p.append(ppr)
            insertion = self._change("ins")
            run = etree.SubElement(insertion, w("r"))
            run_rpr = _model_run_rpr(model)
            if run_rpr is not None:
                run.append(run_rpr)
            t = etree.SubElement(run, w("t"))
            t.text = text
            t.set(_XML_SPACE, "preserve")
            p.append(insertion)
            previous.addnext(p)
            previous = p
            first = first if first is not None else p
        assert first is not None
        return first

    def _change(self, kind: str) -> etree._Element:
        element = etree.Element(w(kind))
        element.set(w("id"), self.ids())
        element.set(w("author"), self.words.author)
        element.set(w("date"), self.stamp)
        return element

    # --- comments --------------------------------------------------------------------------

    def comment(self, finding: Finding, inserted: etree._Element | None) -> None:
        cid = self.ids()
        self._comment_part(cid, finding.text)
        if finding.kind == "summary":
            self._anchor_paragraph(self._first_text_paragraph(), cid)
            return
        index = self.find(finding.evidence.text) if finding.evidence else None
        if index is not None and finding.evidence is not None:
            self._anchor_quote(self.paragraphs[index], finding.evidence.text, cid)
        elif inserted is not None:
            self._anchor_paragraph(inserted, cid)
        else:
            self._anchor_paragraph(self._first_text_paragraph(), cid)

    def _comment_part(self, cid: str, text: str) -> None:
        comment = etree.SubElement(self.comments, w("comment"))
        comment.set(w("id"), cid)
        comment.set(w("author"), self.words.author)
        comment.set(w("date"), self.stamp)
        comment.set(w("initials"), self.words.initials)
        for i, line in enumerate(text.split("\n")):
            p = etree.SubElement(comment, w("p"))
            if i == 0:
                etree.SubElement(etree.SubElement(p, w("r")), w("annotationRef"))
            t = etree.SubElement(etree.SubElement(p, w("r")), w("t"))
            t.text = line
            t.set(_XML_SPACE, "preserve")

    def _anchor_paragraph(self, p: etree._Element, cid: str) -> None:
        start = etree.Element(w("commentRangeStart"))
        start.set(w("id"), cid)
        ppr = p.find(w("pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        self._end(p, None, cid)

    def _end(self, p: etree._Element, after: etree._Element | None, cid: str) -> None:
        end = etree.Element(w("commentRangeEnd"))
        end.set(w("id"), cid)
        reference = etree.Element(w("r"))
        etree.SubElement(reference, w("commentReference")).set(w("id"), cid)
        if after is None:
            p.append(end)
        else:
            after.addnext(end)
        end.addnext(reference)

    def _anchor_quote(self, p: etree._Element, quote: str, cid: str) -> None:
        """Comment range from the quote's first character to its last, splitting runs."""
        runs = _visible_runs(p)
        full = "".join(text for _, text in runs)
        words = quote.split()
        match = re.search(r"\s+".join(re.escape(x) for x in words), full) if words else None
        if match is None or not runs:
            self._anchor_paragraph(p, cid)
            return
        first, last = self._split_at(p, runs, match.start(), match.end())
        start = etree.Element(w("commentRangeStart"))
        start.set(w("id"), cid)
        first.addprevious(start)
        self._end(p, last, cid)

    def _split_at(
        self, p: etree._Element, runs: list[tuple[etree._Element, str]], start: int, end: int
    ) -> tuple[etree._Element, etree._Element]:
        """The first and last top-level elements of ``p`` covering ``[start, end)``; a plain
        run the boundary falls inside is split in two."""
        offset = 0
        first = last = None
        for run, text in runs:
            run_start, run_end = offset, offset + len(text)
            offset = run_end
            if first is None and start < run_end:
                if start > run_start and _splittable(run, p):
                    run = _split_run(run, start - run_start)
                    run_start = start
                first = _top(run, p)
            if first is not None and end <= run_end:
                if end < run_end and _splittable(run, p):
                    _split_run(run, end - run_start)
                last = _top(run, p)
                break
        assert first is not None
        return first, last if last is not None else _top(runs[-1][0], p)


def _clean_ppr(model: etree._Element | None) -> etree._Element:
    """A model paragraph's properties without its own revision marks or section break."""
    source = model.find(w("pPr")) if model is not None else None
    ppr = copy.deepcopy(source) if source is not None else etree.Element(w("pPr"))
    for tag in ("sectPr", "pPrChange"):
        for child in ppr.findall(w(tag)):
            ppr.remove(child)
    rpr = ppr.find(w("rPr"))
    if rpr is not None:
        for child in [c for c in rpr if c.tag in (w("ins"), w("del"), w("rPrChange"))]:
            rpr.remove(child)
    return ppr


def _model_run_rpr(model: etree._Element | None) -> etree._Element | None:
    run = model.find(f".//{w('r')}") if model is not None else None
    rpr = run.find(w("rPr")) if run is not None else None
    if rpr is None:
        return None
    rpr = copy.deepcopy(rpr)
    for child in [c for c in rpr if c.tag in (w("ins"), w("del"), w("rPrChange"), w("vanish"))]:
        rpr.remove(child)
    return rpr


_SKIP_RUNS_IN = frozenset({w("del"), w("moveFrom"), w("drawing"), w("pict"), w("txbxContent")})


def _visible_runs(p: etree._Element) -> list[tuple[etree._Element, str]]:
    """The runs of ``p`` whose text the extractor reads, with that text."""
    out: list[tuple[etree._Element, str]] = []
    for run in p.iter(w("r")):
        if any(a.tag in _SKIP_RUNS_IN for a in run.iterancestors()) or run.getparent() is None:
            continue
        out.append((run, paragraph_text(run)))
    return out


def _top(element: etree._Element, p: etree._Element) -> etree._Element:
    while element.getparent() is not None and element.getparent() is not p:
        element = element.getparent()  # type: ignore[assignment]
    return element


def _splittable(run: etree._Element, p: etree._Element) -> bool:
    content = [c for c in run if c.tag != w("rPr")]
    return run.getparent() is p and len(content) == 1 and content[0].tag == w("t")


def _split_run(run: etree._Element, at: int) -> etree._Element:
    """Split a one-text run at character ``at``; return the second half (now after it)."""
    second = copy.deepcopy(run)
    first_t, second_t = run.find(w("t")), second.find(w("t"))
    assert first_t is not None and second_t is not None
    text = first_t.text or ""
    first_t.text, second_t.text = text[:at], text[at:]
    for t in (first_t, second_t):
        t.set(_XML_SPACE, "preserve")
    run.addnext(second)
    return second
