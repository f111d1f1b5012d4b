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
PROCESS = {
    "due_diligence",
    "countries_sanctions",
    "export_control",
    "exit_plan",
    "risk_before",
    "risk_during",
    "risk_after",
}


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
    report["red_flags"] = [
        {
            "id": "state_access",
            "title": "Access for state authorities",
            "severity": "high",
            "evidence": [
                {
                    "text": "Data shall be made available to the Ministry.",
                    "start": 0,
                    "end": 10,
                    "page": 2,
                    "section": "9",
                }
            ],
            "why": "Government access to research data.",
        }
    ]
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


W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"


def test_docx_structure(reports):
    import io

    from docx.oxml.ns import qn

    data = build_checklist(reports["nb"])
    doc = open_docx(io.BytesIO(docx_bytes(data)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "Sjekkliste før signering"
    for title in _titles("nb"):
        assert any(h.strip() == title for h in headings), title
    cells = [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    assert "Saksbehandler (navn, enhet)" in cells
    assert "Godkjennes med vilkår" in " ".join(cells)
    # Real check boxes: Word content controls (w14:checkbox), one per clause heading, clause
    # "checked" row, process item and decision.
    boxes = doc.element.body.findall(f".//{W14}checkbox")
    assert len(boxes) >= 2 * len(_titles("nb")) + len(PROCESS) + 3
    assert all(b.find(f"{W14}checked").get(f"{W14}val") == "0" for b in boxes)
    # Each one is a content control (w:sdt), and no tick box is a bare "☐" typed as text.
    assert all(b.getparent().tag == qn("w:sdtPr") for b in boxes)
    for text in doc.element.body.iter(qn("w:t")):
        if "☐" in (text.text or ""):
            assert any(a.tag == qn("w:sdtContent") for a in text.iterancestors()), text.text


def test_docx_is_a4_with_properties_and_language_tags(reports):
    import io
    from datetime import UTC, datetime

    from docx.oxml.ns import qn

    doc = open_docx(io.BytesIO(docx_bytes(build_checklist(reports["nb"]))))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    props = doc.core_properties
    assert props.author.startswith("agreement analyser") and "python-docx" not in props.author
    assert props.created.date() == datetime.now(UTC).date()
    assert props.language == "nb-NO"
    tags = {e.get(qn("w:val")) for e in doc.styles.element.iter(qn("w:lang"))}
    assert tags == {"nb-NO"}


def test_docx_headings_keep_with_their_tables(reports):
    import io

    doc = open_docx(io.BytesIO(docx_bytes(build_checklist(reports["en"]))))
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)
    table = doc.tables[1]  # the first clause's table
    for row in list(table.rows)[:-1]:
        assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)


def test_suggested_wording_stays_in_the_agreement_language(reports):
    english_doc_nb_list = build_checklist(reports["en"], lang="nb")
    assert english_doc_nb_list.labels["title"] == "Sjekkliste før signering"
    gaps = [c for c in english_doc_nb_list.clauses if c.suggestion]
    source = {c["id"]: c for c in reports["en"]["clauses"]}
    specs = {c.id: c for c in load_profile(None).clauses}
    assert gaps
    for item in gaps:
        assert item.suggestion == " ".join(source[item.id]["suggestion"].split())
        assert item.suggestion != " ".join(specs[item.id].suggestion["nb"].split())


def test_concerns_are_written_as_risks(reports):
    report = copy.deepcopy(reports["en"])
    clause = next(c for c in report["clauses"] if c["id"] == "ipr")
    clause["concerns"] = [{"id": "all_to_one_party", "title": "x", "evidence": []}]
    data = build_checklist(report, lang="nb")
    item = next(c for c in data.clauses if c.id == "ipr")
    assert item.risks == ["Alle resultater eller rettigheter tilfaller én part"]
    assert not set(item.risks) & set(item.missing_elements)


def test_fields_from_profile_settings_and_options(tmp_path):
    from analyser.checklist import fields_from

    profile = tmp_path / "inst.yaml"
    profile.write_text(
        "id: inst\nextends: eu-2024\nchecklist:\n  institution: OsloMet\n"
        "  escalation: Pro-rector\n",
        encoding="utf-8",
    )
    settings = dict(load_profile(str(profile)).checklist_settings)
    assert settings == {"institution": "OsloMet", "escalation": "Pro-rector"}
    fields = fields_from(settings, escalation="Rector", case_number="24/1")
    assert (fields.institution, fields.escalation, fields.case_number) == (
        "OsloMet",
        "Rector",
        "24/1",
    )
    profile.write_text("id: inst\nextends: eu-2024\nchecklist:\n  colour: red\n")
    with pytest.raises(Exception, match="unknown field"):
        load_profile(str(profile))


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


FIELDS = {
    "--institution": "OsloMet",
    "--partner": "Universidad de los Andes",
    "--title": "Research cooperation on water",
    "--case-number": "24/01234-7",
    "--draft-date": "2026-11-30",
    "--draft-version": "v3",
    "--reviewer": "Kari Nordmann",
    "--risk": "medium",
    "--escalation": "Pro-rector for research",
}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_docx_converts_to_pdf_with_every_clause_title(tmp_path, runner):
    """LibreOffice renders it on A4 with every field, label, clause and the legend."""
    import pypdfium2

    out = tmp_path / "checklist.docx"
    options = [item for pair in FIELDS.items() for item in pair]
    result = runner.invoke(checklist, [str(EN_SAMPLE), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = pypdfium2.PdfDocument(str(tmp_path / "checklist.pdf"))
    try:
        # LibreOffice carries the DOCX core properties into the PDF's information dictionary.
        info = pdf.get_metadata_dict()
        sizes = {tuple(round(v) for v in page.get_size()) for page in pdf}
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    assert sizes == {(595, 842)}, "every page A4"
    text = " ".join(" ".join(pages).split())
    assert len(pages) >= 2
    labels = load_wording()["labels"]["en"]
    expected = [
        *_titles("en"),
        "Pre-signature checklist",
        "Sign-off",
        *[v for k, v in FIELDS.items() if k != "--risk"],
        "medium",
        *(
            labels[k]
            for k in (
                "institution",
                "partners",
                "agreement_title",
                "draft_date",
                "draft_version",
                "case_number",
                "reviewer",
                "risk",
                "escalation",
                "legend_heading",
            )
        ),
        "[EU §14]",
        "[HK-dir]",
        "[OsloMet]",
    ]
    missing = [item for item in expected if item not in text]
    assert missing == []
    assert info["Author"].startswith("agreement analyser") and "python-docx" not in str(info)
    assert info["Title"] == f"Pre-signature checklist: {FIELDS['--title']}"
    # The check-box controls render as boxes: one per clause heading, per clause's "checked"
    # row, per process item and per sign-off decision.
    assert text.count("☐") >= 2 * len(_titles("en")) + len(PROCESS) + 3


def test_checklist_leads_with_the_pending_changes(tmp_path, analyser_default) -> None:
    """A redlined draft's checklist says what the partner's tracked changes do, in every
    format and in the checklist's language; a draft without them says nothing of the kind."""
    import io

    from revision_fixtures import ONLY_ARTICLE_3, PARTNER, build_agreement, delete_article

    path = build_agreement(tmp_path / "redline.docx", delete_article(3), text=ONLY_ARTICLE_3)
    report = analyser_default.analyse_path(path).to_dict()
    english = build_checklist(report, lang="en")
    assert english.pending_changes.startswith(f"Pending changes by {PARTNER} (")
    assert "remove Academic freedom (Article 3 deleted)" in english.pending_changes
    markdown = render_checklist(english, "md")
    assert markdown.index("Pending changes by") < markdown.index(english.clauses[0].title)
    assert f"<strong>{english.pending_changes}</strong>" in render_checklist(english, "html")
    paragraphs = [p.text for p in open_docx(io.BytesIO(docx_bytes(english))).paragraphs]
    assert english.pending_changes in paragraphs[:6]
    norwegian = build_checklist(report, lang="nb")
    assert norwegian.pending_changes.startswith(f"Ventende endringer av {PARTNER} (")
    assert build_checklist(analyser_default.analyse_path(EN_SAMPLE).to_dict()).pending_changes == ""
