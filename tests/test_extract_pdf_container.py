"""Attachments, portfolios and XFA forms are named, not silently read as empty pages
(analyser/extract/pdf_container.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_fixtures import build_attachment_pdf, build_visible_draft, build_xfa_pdf

from analyser.errors import AgreementInAttachment, XfaForm
from analyser.extract import extract
from analyser.extract.pdf_container import embedded_documents
from analyser.limits import Limits


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_visible_draft(tmp_path_factory.mktemp("att") / "agreement.pdf")


def test_pdf_container_attachment_is_listed_in_a_warning(agreement: Path, tmp_path: Path) -> None:
    doc = extract(build_attachment_pdf(tmp_path / "cover.pdf", agreement))
    assert "Cover letter" in doc.text
    assert any("1 attached file (agreement.pdf)" in w for w in doc.warnings)


def test_pdf_container_portfolio_without_text_is_refused(agreement: Path, tmp_path: Path) -> None:
    with pytest.raises(AgreementInAttachment, match=r"agreement\.pdf.*check --attachments"):
        extract(build_attachment_pdf(tmp_path / "portfolio.pdf", agreement, cover_text=False))


def test_pdf_container_dynamic_xfa_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XfaForm, match="dynamic XFA form") as info:
        extract(build_xfa_pdf(tmp_path / "xfa.pdf"))
    assert info.value.exit_code == 3


def test_pdf_container_static_xfa_is_read_with_a_warning(tmp_path: Path) -> None:
    doc = extract(build_xfa_pdf(tmp_path / "static.pdf", dynamic=False))
    assert "Please wait" in doc.text
    assert any(w.startswith("XFA form") for w in doc.warnings)


def test_pdf_container_plain_pdf_has_no_container_warning(agreement: Path) -> None:
    assert extract(agreement).warnings == []


def test_pdf_container_embedded_documents_are_taken_out_byte_for_byte(
    agreement: Path, tmp_path: Path
) -> None:
    pdf = build_attachment_pdf(tmp_path / "cover.pdf", agreement)
    found = embedded_documents(pdf.read_bytes(), str(pdf), Limits())
    assert [(e.name, e.data, e.size) for e in found] == [
        ("agreement.pdf", agreement.read_bytes(), agreement.stat().st_size)
    ]


def test_pdf_container_embedded_files_that_are_no_documents_are_left_out(tmp_path: Path) -> None:
    picture = tmp_path / "logo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    pdf = build_attachment_pdf(tmp_path / "cover.pdf", picture)
    assert embedded_documents(pdf.read_bytes(), str(pdf), Limits()) == []


def test_pdf_container_embedded_document_over_the_size_limit_is_not_copied_out(
    agreement: Path, tmp_path: Path
) -> None:
    pdf = build_attachment_pdf(tmp_path / "cover.pdf", agreement)
    limits = Limits(max_file_bytes=agreement.stat().st_size - 1)
    found = embedded_documents(pdf.read_bytes(), str(pdf), limits)
    assert [(e.name, e.data, e.size) for e in found] == [
        ("agreement.pdf", b"", agreement.stat().st_size)
    ]
