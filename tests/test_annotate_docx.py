"""`analyser annotate` on DOCX: comments on the passages, gaps as tracked insertions."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from extract_fixtures import convert_with_libreoffice, soffice
from lxml import etree
from revision_fixtures import (
    ONLY_ARTICLE_3,
    PARTNER,
    build_agreement,
    comment_on,
    delete_article,
    delete_paragraphs_starting,
    libreoffice_pdf_with_comments,
)

from analyser.annotate.docx import W_NS, annotate_docx
from analyser.report import Report

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REWRITTEN = {
    "word/document.xml",
    "word/comments.xml",
    "word/_rels/document.xml.rels",
    "[Content_Types].xml",
}
NOW = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The partner's redline (Article 3 deleted, exit terms cut) with one partner comment."""
    folder = tmp_path_factory.mktemp("annotate")
    edits = (
        comment_on("Article 7", "Five years is too short for us."),
        delete_article(3),
        delete_paragraphs_starting("9.3", "9.4"),
    )
    return build_agreement(folder / "draft.docx", *edits, text=ONLY_ARTICLE_3)


@pytest.fixture(scope="module")
def annotated(draft: Path, analyser_default, tmp_path_factory) -> tuple[Report, Path, object]:  # noqa: ANN001
    report = analyser_default.analyse_path(draft)
    result = annotate_docx(report, draft.read_bytes(), now=NOW)
    path = tmp_path_factory.mktemp("annotated") / "reviewed.docx"
    path.write_bytes(result.data)
    return report, path, result


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def test_annotate_docx_one_comment_per_finding(annotated) -> None:  # noqa: ANN001
    report, path, result = annotated
    comments = _part(path, "word/comments.xml").findall(w("comment"))
    ours = [c for c in comments if c.get(w("author")) == "Agreement analyser"]
    assert len(ours) == len(result.findings) == result.comments
    expected = 1 + len(report.clauses) + sum(len(c.concerns) for c in report.clauses)
    assert len(ours) == expected + len(report.red_flags)
    assert any(c.get(w("author")) == PARTNER for c in comments), "the partner's comment survives"


def test_annotate_docx_every_comment_is_anchored(annotated) -> None:  # noqa: ANN001
    _, path, _ = annotated
    document = _part(path, "word/document.xml")
    ids = [c.get(w("id")) for c in _part(path, "word/comments.xml").findall(w("comment"))]
    assert len(ids) == len(set(ids))
    for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        assert sorted(e.get(w("id")) for e in document.iter(w(tag))) == sorted(ids), tag


def test_annotate_docx_summary_on_first_paragraph(annotated) -> None:  # noqa: ANN001
    report, path, _ = annotated
    body = _part(path, "word/document.xml").find(w("body"))
    first = body.find(w("p"))
    start = first.find(w("commentRangeStart"))
    summary = _part(path, "word/comments.xml").find(
        f"{w('comment')}[@{w('id')}='{start.get(w('id'))}']"
    )
    text = "".join(summary.itertext())
    assert report.summary()["verdict"] in text and "Partner Legal" in text


def test_annotate_docx_comment_covers_the_quote(annotated) -> None:  # noqa: ANN001
    """The range starts and ends at the evidence sentence, not at the paragraph's edges."""
    report, path, result = annotated
    document = _part(path, "word/document.xml")
    clause = next(c for c in report.clauses if c.id == "ipr")
    finding = next(f for f in result.findings if f.clause_id == "ipr" and f.kind == "clause")
    cid = str(
        next(
            c.get(w("id"))
            for c in _part(path, "word/comments.xml").findall(w("comment"))
            if "".join(c.itertext()).startswith(finding.text.split("\n")[0])
        )
    )
    start = next(e for e in document.iter(w("commentRangeStart")) if e.get(w("id")) == cid)
    p = start.getparent()
    covered, inside = [], False
    for element in p.iter(w("commentRangeStart"), w("commentRangeEnd"), w("t")):
        if element.tag != w("t"):
            if element.get(w("id")) == cid:
                inside = element.tag == w("commentRangeStart")
            continue
        if inside:
            covered.append(element.text or "")
    assert " ".join("".join(covered).split()) == " ".join(clause.evidence[0].text.split())


def test_annotate_docx_other_members_byte_identical(draft: Path, annotated) -> None:  # noqa: ANN001
    _, path, _ = annotated
    with zipfile.ZipFile(draft) as old, zipfile.ZipFile(path) as new:
        old_names, new_names = set(old.namelist()), set(new.namelist())
        assert old_names - new_names == set()
        assert new_names - old_names <= {"word/comments.xml"}
        for name in old_names - REWRITTEN:
            assert old.read(name) == new.read(name), name


def test_annotate_docx_partner_changes_survive(draft: Path, annotated) -> None:  # noqa: ANN001
    _, path, _ = annotated

    def partner_marks(root: etree._Element) -> int:
        return sum(1 for e in root.iter(w("del")) if e.get(w("author")) == PARTNER)

    with zipfile.ZipFile(draft) as old:
        before = partner_marks(etree.fromstring(old.read("word/document.xml")))
    assert before and partner_marks(_part(path, "word/document.xml")) == before


def test_annotate_docx_gaps_inserted_as_tracked_changes(annotated) -> None:  # noqa: ANN001
    report, path, result = annotated
    document = _part(path, "word/document.xml")
    ours = [e for e in document.iter(w("ins")) if e.get(w("author")) == "Agreement analyser"]
    assert ours and all(e.get(w("date")) == "2026-05-06T12:00:00Z" for e in ours)
    inserted = " ".join("".join(e.itertext()) for e in ours)
    assert "Article 11 – Academic freedom" in inserted  # after Article 10, in the draft's style
    missing = [c for c in report.clauses if c.status == "missing"]
    assert result.insertions == len([c for c in report.clauses if c.status != "present"])
    assert missing, "the fixture must have a missing clause"


def test_annotate_docx_accepting_insertions_closes_gaps(annotated, analyser_default) -> None:  # noqa: ANN001
    _, path, _ = annotated
    again = analyser_default.analyse_path(path)  # the extractor reads every change accepted
    assert [c.id for c in again.clauses if c.status == "missing"] == []


def test_annotate_docx_readers_open_it(annotated) -> None:  # noqa: ANN001
    _, path, result = annotated
    opened = docx.Document(str(path))
    assert len(list(opened.comments)) == result.comments + 1  # + the partner's
    with zipfile.ZipFile(path) as archive:
        for name in REWRITTEN:
            etree.fromstring(archive.read(name))  # plain XML parser


def test_annotate_docx_libreoffice_shows_comments(annotated, tmp_path: Path) -> None:  # noqa: ANN001
    """LibreOffice opens it and exports the comments (as PDF text annotations)."""
    if soffice() is None:
        pytest.skip("LibreOffice not installed")
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    _, path, result = annotated
    pdf = pdfium.PdfDocument(libreoffice_pdf_with_comments(path, tmp_path))
    notes = 0
    for page in pdf:
        for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
            annot = raw.FPDFPage_GetAnnot(page.raw, i)
            notes += raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_TEXT
            raw.FPDFPage_CloseAnnot(annot)
    assert notes >= result.comments


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.docx")), ids=lambda p: p.stem)
def test_annotate_docx_every_sample(sample: Path, analyser_default, tmp_path: Path) -> None:  # noqa: ANN001
    report = analyser_default.analyse_path(sample)
    result = annotate_docx(report, sample.read_bytes(), now=NOW)
    comments = etree.fromstring(zipfile.ZipFile(io.BytesIO(result.data)).read("word/comments.xml"))
    assert len(comments.findall(w("comment"))) == len(result.findings)
    out = tmp_path / sample.name
    out.write_bytes(result.data)
    again = analyser_default.analyse_path(out)
    assert [c.id for c in again.clauses if c.status == "missing"] == []
    if soffice() is not None:
        assert convert_with_libreoffice(out, tmp_path).stat().st_size > 0


def test_annotate_docx_cli(runner, draft: Path, tmp_path: Path) -> None:  # noqa: ANN001
    from analyser.cli import main

    out = tmp_path / "reviewed.docx"
    result = runner.invoke(main, ["annotate", str(draft), "-o", str(out), "--no-model"])
    assert result.exit_code == 0, result.output
    assert "Annotated draft written" in result.output and zipfile.is_zipfile(out)
    same = runner.invoke(main, ["annotate", str(draft), "-o", str(draft)])
    assert same.exit_code == 2 and "another file" in same.output


def test_annotate_docx_cli_text_file_is_refused(runner, tmp_path: Path) -> None:  # noqa: ANN001
    from analyser.cli import main

    source = SAMPLES / "mou-fjordvik-kilimani.txt"
    result = runner.invoke(main, ["annotate", str(source), "-o", str(tmp_path / "x.txt")])
    assert result.exit_code == 3
    assert "only DOCX and PDF" in result.output and "Traceback" not in result.output


def test_annotate_docx_strict_ooxml_draft(analyser_default, tmp_path: Path) -> None:  # noqa: ANN001
    """A Strict Open XML draft (the sample renamed to the Strict namespaces, as Word's "Strict
    Open XML Document" writes; no free tool saves Strict) is analysed like any DOCX; its
    annotated copy was refused as "DOCX without a body". It comes back as a Transitional
    package that python-docx opens, with the findings as comments."""
    from analyser.extract import extract_bytes

    sample = Path(__file__).resolve().parents[1] / "samples" / "dsa-hordafjord-lakeshore.docx"
    pairs = [
        (b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
         b"http://purl.oclc.org/ooxml/wordprocessingml/main"),
        (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ]  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(sample) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            for old, new in pairs:
                content = content.replace(old, new)
            target.writestr(info, content)
    strict = out.getvalue()
    report = analyser_default.analyse_document(extract_bytes(strict, "strict.docx"))
    result = annotate_docx(report, strict)
    (tmp_path / "annotated.docx").write_bytes(result.data)
    comments = list(docx.Document(str(tmp_path / "annotated.docx")).comments)
    assert result.comments > 0 and len(comments) == result.comments
