"""`analyser checklist`: pre-filled, bilingual, and a DOCX that LibreOffice renders."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx

from analyser.checklist import build_checklist, docx_bytes, load_wording, render_checklist
from analyser.cli_batch import checklist
from analyser.profiles import load_profile

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
EN_SAMPLE = SAMPLES / "rca-vestland-andes.docx"
NB_SAMPLE = SAMPLES / "mou-fjordvik-kilimani-nb.pdf"
PROCESS = {"due_diligence", "countries_sanctions", "export_control", "exit_plan",
           "risk_before", "risk_during", "risk_after"}


@pytest.fixture(scope="module")
def reports(analyser_default) -> dict[str, dict]:
    return {
        "en": analyser_default.analyse_path(EN_SAMPLE).to_dict(),
        "nb": analyser_default.analyse_path(NB_SAMPLE).to_dict(),
    }


def _titles(lang: str) -> list[str]:
    return [c.localized_title(lang) for c in load_profile(None).clauses]


def test_wording_is_complete_in_both_languages():
    wording = load_wording()
    assert set(wording["labels"]["en"]) == set(wording["labels"]["nb"])
    assert {item["id"] for item in wording["process_items"]} == PROCESS
    for item in wording["process_items"]:
        assert item["title"]["en"] != item["title"]["nb"]


@pytest.mark.parametrize(
    ("sample", "lang", "expected"),
    [("en", None, "en"), ("nb", None, "nb"), ("nb", "en", "en"), ("en", "nb", "nb")],
    ids=["english-doc", "norwegian-doc", "forced-en", "forced-nb"],
)
def test_language_follows_document_unless_asked(reports, sample, lang, expected):
    data = build_checklist(reports[sample], lang=lang)
    assert data.lang == expected
    assert [c.title for c in data.clauses] == _titles(expected)
    assert data.labels["title"] == load_wording()["labels"][expected]["title"]


def test_prefilled_from_the_analysis(reports):
    report = reports["en"]
    data = build_checklist(report)
    by_id = {c.id: c for c in data.clauses}
    source = {c["id"]: c for c in report["clauses"]}
    for cid, item in by_id.items():
        assert item.status == source[cid]["status"]
        assert len(item.evidence) == len(source[cid]["evidence"])
        if item.status == "present":
            assert item.suggestion == ""
        else:
            assert item.suggestion  # wording to propose for every gap
    exit_clause = by_id["exit_strategy"]
    assert exit_clause.status == "missing" and exit_clause.missing_elements
    assert [p.id for p in data.process] == [i["id"] for i in load_wording()["process_items"]]


def test_red_flags_get_what_to_check(reports):
    report = copy.deepcopy(reports["en"])
    report["red_flags"] = [{
        "id": "state_access", "title": "Access for state authorities", "severity": "high",
        "evidence": [{"text": "Data shall be made available to the Ministry.", "start": 0,
                      "end": 10, "page": 2, "section": "9"}],
        "why": "Government access to research data.",
    }]
    data = build_checklist(report, lang="nb")
    (flag,) = data.red_flags
    assert flag.severity == "høy"
    assert flag.evidence[0].location == "s. 2 · § 9"
    assert flag.check == load_wording()["red_flag_checks"]["default"]["nb"]
    md = render_checklist(data, "md")
    assert "Access for state authorities" in md and "Government access" in md


@pytest.mark.parametrize("fmt", ["md", "html"], ids=["markdown", "html"])
def test_text_formats_hold_every_part(reports, fmt):
    data = build_checklist(reports["en"])
    out = render_checklist(data, fmt)
    for title in _titles("en"):
        assert title in out
    for item in data.process:
        assert item.title in out
    for decision in ("Approve", "Approve with conditions", "Reject"):
        assert decision in out
    assert "Reviewer (name, unit)" in out and "☐" in out


def test_html_escapes_document_text(reports):
    report = copy.deepcopy(reports["en"])
    report["clauses"][0]["evidence"][0]["text"] = "<script>alert(1)</script>"
    out = render_checklist(build_checklist(report), "html")
    assert "<script>alert(1)" not in out and "&lt;script&gt;" in out


def test_docx_structure(reports):
    import io

    data = build_checklist(reports["nb"])
    doc = open_docx(io.BytesIO(docx_bytes(data)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "Sjekkliste før signering"
    for title in _titles("nb"):
        assert f"☐ {title}" in headings
    cells = [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    assert "Saksbehandler (navn, enhet)" in cells
    assert any("☐ Godkjennes med vilkår" in c for c in cells)
    assert sum(c == "☐" for c in cells) >= len(_titles("nb")) + len(PROCESS)


def test_cli_writes_each_format(tmp_path, runner):
    for ext in ("md", "html", "docx"):
        out = tmp_path / f"list.{ext}"
        result = runner.invoke(checklist, [str(NB_SAMPLE), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    assert "Sjekkliste før signering" in (tmp_path / "list.md").read_text(encoding="utf-8")


def test_cli_accepts_a_json_report(tmp_path, runner, reports):
    import json

    source = tmp_path / "report.json"
    source.write_text(json.dumps(reports["en"]), encoding="utf-8")
    result = runner.invoke(checklist, [str(source), "-o", str(tmp_path / "c.md"), "--lang", "nb"])
    assert result.exit_code == 0, result.output
    assert "Immaterielle rettigheter" in (tmp_path / "c.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [(["x.pdf"], 2, ".docx, .md or .html"), (["out.md"], 3, "not found")],
    ids=["bad-extension", "missing-file"],
)
def test_cli_errors(tmp_path, runner, args, code, message):
    source = EN_SAMPLE if code == 2 else tmp_path / "missing.pdf"
    result = runner.invoke(checklist, [str(source), "-o", str(tmp_path / args[0])])
    assert result.exit_code == code
    assert message in result.output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_docx_converts_to_pdf_with_every_clause_title(tmp_path, runner):
    import pypdfium2

    out = tmp_path / "checklist.docx"
    assert runner.invoke(checklist, [str(EN_SAMPLE), "-o", str(out)]).exit_code == 0
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=120,
    )
    pdf = pypdfium2.PdfDocument(str(tmp_path / "checklist.pdf"))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    text = " ".join(" ".join(pages).split())
    assert len(pages) >= 2
    for title in [*_titles("en"), "Pre-signature checklist", "Sign-off"]:
        assert title in text, title
