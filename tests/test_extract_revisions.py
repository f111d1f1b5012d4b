"""Tracked changes of a DOCX: the marks, and the draft as it read before them."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx.oxml.ns import qn
from lxml import etree
from revision_fixtures import (
    DATE,
    PARTNER,
    build_agreement,
    delete_article,
    insert_paragraph_after,
    libreoffice_redline,
    replace_in,
)

from analyser.extract import extract
from analyser.extract.revisions import collect_marks, reject_all


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("revisions")


def test_extract_revisions_deleted_article_is_one_mark(workdir: Path) -> None:
    document = extract(build_agreement(workdir / "deleted.docx", delete_article(3)))
    assert document.revisions is not None
    marks = document.revisions.marks
    assert [(m.kind, m.author, m.date) for m in marks] == [("deleted", PARTNER, DATE)]
    assert marks[0].text.startswith("Article 3 – Academic freedom\n3.1 The Parties recognise")
    assert "Academic freedom" not in document.text
    before = document.revisions.before
    assert before is not None and "3.2 Each Party's researchers have the right" in before.text
    assert before.sha256 == document.sha256 and before.name == document.name


def test_extract_revisions_replacement_reads_old_and_new(workdir: Path) -> None:
    edit = replace_in("Each Party shall keep confidential", "five years", "fifty years")
    document = extract(build_agreement(workdir / "replaced.docx", edit))
    assert document.revisions is not None and document.revisions.before is not None
    assert (document.revisions.insertions, document.revisions.deletions) == (1, 1)
    assert "for fifty years after disclosure" in document.text
    assert "for five years after disclosure" in document.revisions.before.text


def test_extract_revisions_inserted_paragraph_absent_before(workdir: Path) -> None:
    added = "7.2 The obligations of this Article survive termination for ten years."

    def edit(paragraphs):  # noqa: ANN001, ANN202 - fixture callback
        target = next(p for p in paragraphs if p.text.startswith("Each Party shall keep"))
        insert_paragraph_after(target, added)

    document = extract(build_agreement(workdir / "inserted.docx", edit))
    assert document.revisions is not None and document.revisions.before is not None
    assert added in document.text
    assert added not in document.revisions.before.text
    # The inserted paragraph mark is rejected too: no empty or merged paragraph is left.
    assert len(document.revisions.before.blocks) == len(document.blocks) - 1


def test_extract_revisions_none_without_tracked_changes(workdir: Path) -> None:
    assert extract(build_agreement(workdir / "clean.docx")).revisions is None


def test_extract_revisions_formatting_change_is_ignored(workdir: Path) -> None:
    """A w:rPrChange (bold made plain) changes no text: not a revision for the analyser."""

    def edit(paragraphs):  # noqa: ANN001, ANN202 - fixture callback
        run = paragraphs[0].runs[0]._r
        rpr = run.get_or_add_rPr()
        change = etree.SubElement(rpr, qn("w:rPrChange"))
        for key, value in (("w:id", "9"), ("w:author", PARTNER), ("w:date", DATE)):
            change.set(qn(key), value)
        etree.SubElement(change, qn("w:rPr")).append(etree.Element(qn("w:b")))

    assert extract(build_agreement(workdir / "format.docx", edit)).revisions is None


@pytest.mark.parametrize(
    ("xml", "kinds", "before"),
    [
        ('<w:p><w:r><w:t>keep </w:t></w:r><w:del w:author="A"><w:r><w:delText>old</w:delText>'
         '</w:r></w:del><w:ins w:author="A"><w:r><w:t>new</w:t></w:r></w:ins></w:p>',
         ["deleted", "inserted"], "keep old"),
        ('<w:p><w:moveFrom w:author="B"><w:r><w:t>moved</w:t></w:r></w:moveFrom></w:p>'
         '<w:p><w:r><w:t>x</w:t></w:r><w:moveTo w:author="B"><w:r><w:t>moved</w:t></w:r>'
         "</w:moveTo></w:p>",
         ["deleted", "inserted"], "movedx"),
        ('<w:p><w:pPr><w:rPr><w:ins w:author="C"/></w:rPr></w:pPr><w:r><w:t>one </w:t></w:r></w:p>'
         "<w:p><w:r><w:t>two</w:t></w:r></w:p>",
         [], "one two"),
    ],
    ids=["replace", "move", "split-paragraph"],
)  # fmt: skip
def test_extract_revisions_markup_kinds(xml: str, kinds: list[str], before: str) -> None:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    root = etree.fromstring(f"<w:body {ns}>{xml}</w:body>")
    assert [m.kind for m in collect_marks(root)] == kinds
    rejected = reject_all(root)
    assert "".join(t.text or "" for t in rejected.iter(qn("w:t"))) == before
    assert len(list(rejected.iter(qn("w:ins"), qn("w:del"), qn("w:moveTo")))) == 0


def test_extract_revisions_libreoffice_deletion(workdir: Path) -> None:
    path = libreoffice_redline(workdir)
    if path is None:
        pytest.skip("LibreOffice not installed")
    document = extract(path)
    assert document.revisions is not None and document.revisions.before is not None
    assert document.revisions.authors == [PARTNER]
    assert "3.1 The Parties recognise academic freedom" in document.revisions.before.text
    assert "3.1 The Parties recognise academic freedom" not in document.text
