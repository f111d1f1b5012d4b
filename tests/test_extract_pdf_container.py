"""Attachments, portfolios and XFA forms are named, not silently read as empty pages
(analyser/extract/pdf_container.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_fixtures import build_attachment_pdf, build_visible_draft, build_xfa_pdf

from analyser.errors import AgreementInAttachment, XfaForm
from analyser.extract import extract


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_visible_draft(tmp_path_factory.mktemp("att") / "agreement.pdf")


def test_pdf_container_attachment_is_listed_in_a_warning(agreement: Path, tmp_path: Path) -> None:
    doc = extract(build_attachment_pdf(tmp_path / "cover.pdf", agreement))
    assert "Cover letter" in doc.text
    assert any("1 attached file (agreement.pdf)" in w for w in doc.warnings)


def test_pdf_container_portfolio_without_text_is_refused(agreement: Path, tmp_path: Path) -> None:
    with pytest.raises(AgreementInAttachment, match=r"agreement\.pdf.*analyse it on its own"):
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
