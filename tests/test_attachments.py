"""`check --attachments`: each PDF/DOCX/text file attached to a PDF is analysed and reported on
its own, bounded like any other document (analyser/attachments.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pdf_fixtures import build_attachment_pdf

from analyser.cli import main
from tests.conftest import REPO, SAMPLES
from tests.engine_fixtures import build_shared_stream_pdf

AGREEMENT = SAMPLES / "mou-fjordvik-kilimani.pdf"
HEAVY_SECONDS = 12
GRACE = 5


def _statuses(report: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["clauses"]}


def _check(runner: CliRunner, *args: str) -> tuple[int, list[dict], str]:
    result = runner.invoke(main, ["check", *args, "--format", "json", "--no-model"])
    reports = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, reports if isinstance(reports, list) else [reports], result.stderr


@pytest.fixture(scope="module")
def alone() -> dict[str, str]:
    """The attached agreement analysed as a file of its own: what its report must say."""
    code, reports, stderr = _check(CliRunner(), str(AGREEMENT))
    assert code == 0, stderr
    return _statuses(reports[0])


@pytest.mark.parametrize("cover_text", [True, False], ids=["cover-letter", "portfolio"])
def test_attachments_each_attached_agreement_gets_its_own_report(
    runner: CliRunner, tmp_path: Path, alone: dict[str, str], cover_text: bool
) -> None:
    pdf = build_attachment_pdf(tmp_path / "container.pdf", AGREEMENT, cover_text=cover_text)
    code, reports, stderr = _check(runner, str(pdf), "--attachments")
    assert code == 0, stderr
    names = [r["document"]["name"] for r in reports]
    attached = f"{AGREEMENT.name} (attached to {pdf})"
    assert names == (["container.pdf", attached] if cover_text else [attached])
    assert _statuses(reports[-1]) == alone
    if cover_text:
        assert reports[0]["warnings"] == ["1 attached file was analysed and reported separately"]


def test_attachments_are_only_analysed_when_asked(runner: CliRunner, tmp_path: Path) -> None:
    pdf = build_attachment_pdf(tmp_path / "container.pdf", AGREEMENT, cover_text=True)
    code, reports, _ = _check(runner, str(pdf))
    assert code == 0
    assert len(reports) == 1
    assert "check --attachments" in " ".join(reports[0]["warnings"])


def test_attachments_larger_than_the_file_limit_are_refused_not_copied_out(
    runner: CliRunner, tmp_path: Path
) -> None:
    """2 MiB of text compresses to a few KB inside the PDF: the limit applies to the file as
    it comes out, before its bytes are copied."""
    text = tmp_path / "annex.txt"
    text.write_text("The Parties shall cooperate in good faith. " * 50_000, encoding="utf-8")
    pdf = build_attachment_pdf(tmp_path / "container.pdf", text, cover_text=True)
    assert pdf.stat().st_size < 1_000_000
    code, reports, stderr = _check(runner, str(pdf), "--attachments", "--max-file-bytes", "1MB")
    assert code == 3
    assert [r["document"]["name"] for r in reports] == ["container.pdf"]
    assert stderr.strip().splitlines() == [
        f"Error: annex.txt (attached to {pdf}): file is 2.05 MiB; the limit is 1 MiB"
    ]


def test_attachments_a_stalling_attachment_is_refused_within_the_deadline(tmp_path: Path) -> None:
    """The 999-page shared-stream PDF of issue 13, attached: bounded like any other document,
    and the cover letter is still reported."""
    heavy = build_shared_stream_pdf(tmp_path / "heavy.pdf")
    pdf = build_attachment_pdf(tmp_path / "container.pdf", heavy, cover_text=True)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "analyser", "check", str(pdf), "--attachments", "--format",
         "json", "--max-seconds", str(HEAVY_SECONDS)],
        cwd=REPO, capture_output=True, text=True, timeout=HEAVY_SECONDS + 30,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert elapsed <= HEAVY_SECONDS + GRACE, f"took {elapsed:.1f} s"
    reports = json.loads(proc.stdout)
    assert reports[0]["document"]["name"] == "container.pdf"
    if proc.returncode == 3:  # refused (a fast machine might finish: then exit 0)
        assert proc.stderr.strip().splitlines() == [
            f"Error: heavy.pdf (attached to {pdf}): analysis timed out after {HEAVY_SECONDS} s"
        ]
    else:
        assert proc.returncode == 0, proc.stderr
