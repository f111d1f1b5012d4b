"""Tests for analyser/render.py and its templates.

Reports are built by hand in :func:`make_report` so these tests do not depend on extraction or
detection, and cover every branch a template has: present/partial/missing, concerns, red flags,
evidence without page or section, Norwegian text (æøå) and hostile text (``<script>``, ``&``,
a terminal escape) that must come out escaped.

Golden files ``tests/golden/report.md`` and ``tests/golden/report.html`` are compared byte for
byte (plus one final newline). After a deliberate template change, regenerate them and review
the diff before committing::

    UPDATE_GOLDEN=1 PYTHONPATH=. python -m pytest tests/test_render.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from analyser.printable import printable_tree
from analyser.render import FORMATS, render, render_many
from analyser.report import (
    ClauseResult,
    Concern,
    DocumentInfo,
    ElementResult,
    Evidence,
    RedFlag,
    Report,
    RevisionEvidence,
)

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "report-schema.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE = "<script>alert('x')</script>"


def make_report(name: str = "avtale-utkast.pdf") -> Report:
    """A report touching every template branch; Norwegian and hostile text on purpose."""
    ev = Evidence(
        text="Partene skal respektere akademisk frihet og institusjonell autonomi, jf. § 4.",
        start=1200,
        end=1280,
        page=3,
        section="4.1 Akademisk frihet",
        score=0.87654,
        element="freedom_of_research",
    )
    clauses = [
        ClauseResult(
            id="fundamental_values",
            title="Fundamental values",
            status="present",
            confidence=0.93,
            evidence=[
                Evidence(
                    text="The Parties shall uphold human rights, the rule of law & democracy.",
                    start=100,
                    end=168,
                    page=1,
                    section="Article 2",
                    score=0.91,
                )
            ],
            elements=[
                ElementResult("human_rights", "Respect for human rights", True, core=True),
                ElementResult("rule_of_law", "Rule of law", True),
            ],
            suggestion="Not shown for a present clause.",
        ),
        ClauseResult(
            id="academic_freedom",
            title="Academic freedom",
            status="partial",
            confidence=0.612,
            evidence=[ev],
            elements=[
                ElementResult("freedom_of_research", "Freedom of research", True, core=True),
                ElementResult("publication", "Right to publish results", False, core=True),
                ElementResult("no_censorship", "No self-censorship", False),
            ],
            concerns=[
                Concern(
                    id="publication_veto",
                    title="Partner may veto publication",
                    evidence=[
                        Evidence(
                            text=f"Publisering krever skriftlig samtykke fra partene {HOSTILE}",
                            start=2000,
                            end=2080,
                            page=None,
                            section="7.2",
                        )
                    ],
                )
            ],
            suggestion=(
                "Each Party retains the right to publish the results of the joint research.\n"
                "Review for confidential information shall not exceed 30 days."
            ),
            guidance="EU Council Recommendation 2024, §14(b): protect academic freedom.",
        ),
        ClauseResult(
            id="reciprocity",
            title="Reciprocity",
            status="present",
            confidence=0.8,
            evidence=[Evidence(text="Mutual access on equal terms.", start=3000, end=3030)],
            elements=[ElementResult("mutual_access", "Mutual access", True)],
            flags=["military_end_use"],  # present, yet a red flag contradicts it
        ),
        ClauseResult(
            id="ipr",
            title="Intellectual property rights",
            status="partial",
            confidence=0.55,
            evidence=[
                Evidence(
                    text="Background IP remains with the owning Party.",
                    start=4000,
                    end=4044,
                    page=5,
                    section=None,
                )
            ],
            elements=[
                ElementResult("background", "Background IP", True, core=True),
                ElementResult("foreground", "Foreground IP ownership", False, core=True),
            ],
            suggestion="Results shall be owned by the Party that generates them.",
        ),
        ClauseResult(
            id="data_management",
            title="Data management",
            status="missing",
            confidence=0.97,
            elements=[
                ElementResult("gdpr", "Personal data (GDPR)", False, core=True),
                ElementResult("export", "Export control", False),
            ],
            suggestion="The Parties shall agree a data management plan & comply with GDPR.",
            guidance="HK-dir: specify storage, access and transfer of research data.",
        ),
        ClauseResult(
            id="exit_strategy",
            title="Exit strategy",
            status="missing",
            confidence=0.88,
            suggestion=f"Either Party may terminate with 3 months' notice. {HOSTILE}",
        ),
    ]
    flags = [
        RedFlag(
            id="unilateral_termination",
            title="Only one party may terminate",
            severity="medium",
            evidence=[Evidence(text="Partner B kan si opp avtalen.", start=5000, end=5030)],
        ),
        RedFlag(
            id="military_end_use",
            title="Possible military end use",
            severity="high",
            evidence=[
                Evidence(
                    text="Results may be shared with the Ministry of Defence & affiliates.",
                    start=6000,
                    end=6060,
                    page=9,
                    section="Annex B",
                )
            ],
            why="Dual-use results could reach defence actors without export control.",
        ),
    ]
    return Report(
        document=DocumentInfo(
            name=name,
            sha256="0f" * 32,
            format="pdf",
            pages=12,
            language="nb",
            characters=45123,
        ),
        clauses=clauses,
        red_flags=flags,
        warnings=["Page 4 had no text layer; it was skipped.", "Tegn \x1b[2J fjernet & æøå"],
        tool_version="0.1.0",
        model_version="clauses-2024.11",
        risk="high",
    )


def _schema_validator() -> Any:
    """Validator for shared/report-schema.json; skip (not fail) when shared/ is not beside us."""
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"schema not found at {SCHEMA_PATH}: shared/ must sit beside the repository")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    return validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)


def test_render_json_validates_against_schema() -> None:
    validator = _schema_validator()
    out = render(make_report(), "json")
    data = json.loads(out)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    # Report.to_dict(), with control characters taken out of untrusted text (the ESC here).
    assert data == printable_tree(make_report().to_dict())
    assert "\x1b" not in out and "[2J" in out
    assert "æøå" in out, "ensure_ascii=False keeps Norwegian letters readable"


def test_render_many_json_is_array_of_valid_reports() -> None:
    validator = _schema_validator()
    data = json.loads(render_many([make_report("a.pdf"), make_report("b.pdf")], "json"))
    assert [d["document"]["name"] for d in data] == ["a.pdf", "b.pdf"]
    for item in data:
        validator.validate(item)


@pytest.mark.parametrize("fmt", ["markdown", "html"], ids=["markdown", "html"])
def test_render_contains_every_clause_status_quote_and_suggestion(fmt: str) -> None:
    report = make_report()
    out = render(report, fmt, lang="en")  # the document is Norwegian; ask for English labels
    for clause in report.clauses:
        assert clause.title in out
        assert clause.status.capitalize() in out
        for ev in clause.evidence:
            # Quotes are escaped per format, so compare a safe prefix of the text.
            assert ev.text[:25] in out
        if clause.status != "present":
            assert clause.suggestion is not None
            assert clause.suggestion.splitlines()[0][:40] in out
    assert "Not shown for a present clause." not in out
    assert "p. 3 · cl. 4.1 Akademisk frihet" in out
    assert "cl. 7.2" in out
    assert "Possible military end use" in out


def test_render_html_is_self_contained_and_escaped() -> None:
    out = render(make_report(), "html")
    assert out.startswith("<!DOCTYPE html>")
    assert "<style>" in out and "{%" not in out
    assert not re.search(r"""\bsrc\s*=""", out, re.I), "no external assets"
    assert not re.search(r"""\bhref\s*=\s*["']?(?:https?:)?//""", out, re.I), "no external links"
    assert "<link " not in out and "@import" not in out
    assert "<script" not in out
    assert "&lt;script&gt;" in out
    assert "rule of law &amp; democracy" in out
    assert "\x1b" not in out, "control characters from the document are dropped"


def test_render_html_status_not_by_colour_alone() -> None:
    out = render(make_report(), "html", lang="en")
    for label in ("Present", "Partial", "Missing"):
        assert f'<span class="pill-status">{label}</span>' in out
    assert "Found:" in out and "Not found:" in out
    assert '<span class="core">core</span>' in out


def test_render_markdown_escapes_document_text() -> None:
    out = render(make_report(), "markdown", lang="en")
    assert "<script>" not in out
    assert r"\<script\>" in out
    assert "\x1b" not in out
    assert "- [x] Respect for human rights *(core)*" in out
    assert "- [ ] Right to publish results *(core)*" in out
    assert "> Partene skal respektere akademisk frihet" in out
    assert "| Academic freedom | ◐ Partial | 0.61 | p. 3 · cl. 4.1 Akademisk frihet |" in out


@pytest.mark.parametrize(
    ("colour", "expect_ansi"), [(False, False), (True, True)], ids=["plain", "colour"]
)
def test_render_text_ansi_only_with_colour(colour: bool, expect_ansi: bool) -> None:
    out = render(make_report(), "text", colour=colour)
    codes = set(ANSI.findall(out))
    if expect_ansi:
        assert codes == {"\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"}
    else:
        assert "\x1b" not in out, "document text must not smuggle escapes into the terminal"


def test_render_text_table_rows() -> None:
    out = render(make_report(), "text", lang="en")
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Clause "))
    rows = lines[header + 2 : header + 8]
    assert [r.split("  ")[0] for r in rows] == [
        "Fundamental values",
        "Academic freedom",
        "Reciprocity",
        "Intellectual property rights",
        "Data management",
        "Exit strategy",
    ]
    assert re.search(r"Academic freedom +partial +0\.61 +1/3 +p\. 3 · cl\. 4\.1", out)
    assert re.search(r"Reciprocity +present +0\.80 +1/1 +location unknown", out)
    assert re.search(r"Exit strategy +missing +0\.88 +– +–", out)
    # Colour must not shift columns: strip it and the table is identical.
    assert ANSI.sub("", render(make_report(), "text", colour=True, lang="en")) == out


@pytest.mark.parametrize("fmt", FORMATS, ids=list(FORMATS))
def test_render_many_concatenates_reports(fmt: str) -> None:
    out = render_many([make_report("first.pdf"), make_report("second.docx")], fmt, lang="en")
    assert out.index("first.pdf") < out.index("second.docx")
    if fmt in ("markdown", "html"):
        head = "<!DOCTYPE html>" if fmt == "html" else "# Agreement reports (2 documents)"
        assert out.count(head) == 1, "one document, not two glued together"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", "[]"), ("text", ""), ("markdown", "(0 documents)"), ("html", "(0 documents)")],
    ids=["json", "text", "markdown", "html"],
)
def test_render_many_empty_run(fmt: str, expected: str) -> None:
    """A batch where every file failed still renders; templates must not index reports[0]."""
    out = render_many([], fmt)
    assert expected in out if expected else out == ""


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"], ids=["markdown", "html", "text"])
def test_render_handles_minimal_report(fmt: str) -> None:
    """No pages, no evidence, no flags, no versions: StrictUndefined must not trip."""
    report = Report(
        document=DocumentInfo("tom.txt", "a" * 64, "txt", None, "en", 0),
        clauses=[ClauseResult("ipr", "IPR", "missing", 0.0)],
    )
    out = render(report, fmt)
    assert "IPR" in out


@pytest.mark.parametrize("func", [render, render_many], ids=["render", "render_many"])
def test_render_unknown_format_raises(func: Any) -> None:
    arg = make_report() if func is render else [make_report()]
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        func(arg, "pdf")


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("markdown", "report.md"), ("html", "report.html")],
    ids=["markdown", "html"],
)
def test_render_matches_golden(fmt: str, golden: str) -> None:
    path = GOLDEN_DIR / golden
    out = render(make_report(), fmt, lang="en")
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f"{out}\n".encode())
    if not path.is_file():
        pytest.fail(f"{path} missing; create it with UPDATE_GOLDEN=1 (see module docstring)")
    # The file ends with a newline (editors and hooks insist); render() output does not.
    assert f"{out}\n" == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    ("fmt", "line_start", "risk_text"),
    [
        ("text", "Verdict: ", "risk HIGH"),
        ("markdown", "- **Verdict:** ", "**risk HIGH**"),
        ("html", '<p class="verdict', "Risk HIGH"),
    ],
    ids=["text", "markdown", "html"],
)
def test_render_verdict_line_shows_risk_first(fmt: str, line_start: str, risk_text: str) -> None:
    out = render(make_report(), fmt, lang="en")
    verdict = next(line for line in out.splitlines() if line.lstrip().startswith(line_start))
    assert risk_text in verdict
    # First: before the clause-gap wording (the HTML verdict is localised, in <strong>).
    gaps = verdict.index("<strong>") if fmt == "html" else verdict.lower().index("gaps")
    assert verdict.index(risk_text) < gaps


def test_render_report_without_risk_shows_no_risk() -> None:
    report = make_report()
    report.risk = None
    out = render(report, "text", lang="en")
    verdict = next(ln for ln in out.splitlines() if ln.startswith("Verdict:"))
    assert "risk" not in verdict


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_render_flagged_present_clause_links_its_red_flag(fmt: str) -> None:
    out = render(make_report(), fmt, lang="en")
    if fmt != "html":
        assert "Contradicted by red flag" in out
    if fmt == "html":
        # The clause card links to the flag's row, which carries that id.
        assert 'href="#r1-flag-military_end_use"' in out
        assert '<tr id="r1-flag-military_end_use">' in out
    elif fmt == "markdown":
        assert "(#red-flags)" in out and "## Red flags" in out


# --------------------------------------------------------------------------- Norwegian reports

NB_SAMPLES = {
    "pdf": "mou-fjordvik-kilimani-nb.pdf",
    "docx": "forskningsavtale-lofoten-litoral-nb.docx",
}


def _leaves(node: Any, prefix: str = "") -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), node


def english_only_labels() -> set[str]:
    """Every English label (en.yaml) that Norwegian words differently, cut at its placeholders.

    Fragments that Norwegian uses as well ("for", "Status") and those shorter than three
    letters ("p.", "by": "by" is Norwegian for town) are left out; pages get their own check.
    """
    from analyser.i18n import messages

    english, norwegian = dict(_leaves(messages("en"))), dict(_leaves(messages("nb")))
    norwegian_text = " ".join(str(v) for v in norwegian.values())
    found = set()
    for key, value in english.items():
        if value == norwegian[key]:
            continue
        for fragment in re.split(r"%\(\w+\)s", value):
            fragment = fragment.strip(" :·()…,")
            shared = re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", norwegian_text)
            if len(fragment) >= 3 and not shared:
                found.add(fragment)
    return found


@pytest.fixture(scope="module")
def norwegian_reports(analyser_default) -> dict[str, Report]:
    from tests.conftest import SAMPLES

    return {
        kind: analyser_default.analyse_path(SAMPLES / name) for kind, name in NB_SAMPLES.items()
    }


@pytest.mark.parametrize("kind", list(NB_SAMPLES), ids=list(NB_SAMPLES))
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"], ids=["text", "markdown", "html"])
def test_render_norwegian_agreement_has_no_english_label(norwegian_reports, fmt, kind) -> None:
    report = norwegian_reports[kind]
    assert report.document.language == "nb"
    out = render(report, fmt)
    if fmt == "html":  # labels only: the CSS and markup are not read by anyone
        out = re.sub(r"<style>.*?</style>|<[^>]+>", " ", out, flags=re.S)
    english = [
        label
        for label in english_only_labels()
        if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", out)
    ]
    assert english == [], f"English labels in a Norwegian {fmt} report"
    assert not re.search(r"(?<!\w)p\. \d", out), "pages are 's.' in Norwegian"
    assert "Avtalerapport" in out or fmt == "html"
    # The suggested wording stays in the agreement's language (Norwegian) either way.
    gap = next(c for c in report.clauses if c.suggestion and c.status != "present")
    first_words = " ".join(gap.suggestion.split()[:6])
    assert first_words in " ".join(out.split()).replace("\\", "")
    english_ui = render(report, fmt, lang="en")
    assert first_words in " ".join(english_ui.split()).replace("\\", "")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"], ids=["text", "markdown", "html"])
def test_render_locations_in_the_report_language(fmt) -> None:
    """Page and bare clause numbers are cited in the labels' language: "s. 3 · pkt. 4.1"."""
    norwegian = render(make_report(), fmt)  # the document is Norwegian
    english = render(make_report(), fmt, lang="en")
    assert "s. 3 · pkt. 4.1 Akademisk frihet" in norwegian
    assert "p. 3 · cl. 4.1 Akademisk frihet" in english


def test_render_html_lists_at_most_ten_tracked_changes_per_clause() -> None:
    """A DOCX alternating inserted and plain words gave 1,800 tracked changes on one clause,
    each listed: a 430-page PDF report laid out long after --max-seconds. The HTML (and so
    the PDF) lists ten and counts the rest; the JSON keeps them all."""
    from analyser.render import REVISIONS_LISTED

    report = make_report()
    clause = report.clauses[0]
    clause.revision_effect, clause.status_before_revisions = "added", "missing"
    clause.revision_evidence = [
        RevisionEvidence("inserted", f"word{i}", "Partner Legal") for i in range(50)
    ]
    html = render(report, "html", lang="en")
    assert REVISIONS_LISTED == 10
    assert html.count("<ins>word") == 10 and "<ins>word9</ins>" in html
    assert "… and 40 more (all in the JSON report)" in html
    assert len(json.loads(render(report, "json"))["clauses"][0]["revision_evidence"]) == 50


def test_render_html_cuts_very_long_quotes_and_json_keeps_them() -> None:
    """Unpunctuated text makes 50,000-character "sentences"; quoted whole, 30 of them made a
    277-page PDF report. The HTML (and so the PDF) quotes the first 2,000 characters."""
    from analyser.render import QUOTE_CHARS

    report = make_report()
    clause = report.clauses[0]
    long_text = " ".join(f"word{i}" for i in range(5_000))
    clause.evidence[0] = Evidence(long_text, 0, len(long_text), 1, None, 0.9, None)
    html = render(report, "html", lang="en")
    assert long_text not in html and "word4999" not in html
    assert long_text[: QUOTE_CHARS // 2] in html
    assert json.loads(render(report, "json"))["clauses"][0]["evidence"][0]["text"] == long_text
