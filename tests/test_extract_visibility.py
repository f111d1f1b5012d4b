"""What a reader of a DOCX sees: ``analyser.extract.visibility`` and its effect on a report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from docx_fixtures import ACADEMIC_FREEDOM, HIDDEN_WAYS, build_hidden_article_docx
from lxml import etree

from analyser.extract import extract
from analyser.extract.visibility import MC, _contrast, _rgb, choose_branch
from analyser.render import render


def _alternate(requires: str) -> etree._Element:
    return etree.fromstring(
        f'<mc:AlternateContent xmlns:mc="{MC}" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
        'xmlns:x31="http://example.invalid/2031/wordml">'
        f'<mc:Choice Requires="{requires}"><choice/></mc:Choice>'
        "<mc:Fallback><fallback/></mc:Fallback></mc:AlternateContent>"
    )


@pytest.mark.parametrize(
    ("requires", "shown"),
    [
        ("wps", "choice"),
        ("wps w14", "choice"),
        ("x31", "fallback"),
        ("wps x31", "fallback"),
        ("undeclared", "fallback"),
        ("", "fallback"),
    ],
    ids=["known", "all-known", "unknown", "one-unknown", "undeclared-prefix", "no-requires"],
)
def test_visibility_alternate_content_branch_word_shows(requires: str, shown: str) -> None:
    branch, others = choose_branch(_alternate(requires))
    assert branch is not None and branch[0].tag == shown
    assert len(others) == 1 and others[0] is not branch


@pytest.mark.parametrize(
    ("text", "ground", "invisible"),
    [
        ("FFFFFF", "FFFFFF", True),
        ("FEFEFE", "FFFFFF", True),
        ("1F3864", "1F3864", True),
        ("777777", "FFFFFF", False),
        ("FFFFFF", "000000", False),
    ],
    ids=["white-on-white", "near-white", "same-dark", "grey-on-white", "white-on-black"],
)
def test_visibility_contrast_threshold(text: str, ground: str, invisible: bool) -> None:
    assert (_contrast(_rgb(text), _rgb(ground)) < 1.15) is invisible


@pytest.fixture(scope="module")
def hidden_reports(tmp_path_factory: pytest.TempPathFactory, analyser_default) -> dict:
    root = tmp_path_factory.mktemp("hidden")
    reports = {}
    for way in HIDDEN_WAYS:
        document = extract(build_hidden_article_docx(root / f"{way}.docx", way))
        reports[way] = (document, analyser_default.analyse_document(document))
    return reports


def _status(report, clause: str) -> str:  # noqa: ANN001 - Report
    return next(c.status for c in report.clauses if c.id == clause)


def test_visibility_control_article_shown_is_present(hidden_reports) -> None:
    """The control: the same article, visible, is found; so the hidden cases can fail."""
    document, report = hidden_reports["visible"]
    assert _status(report, "academic_freedom") == "present"
    assert report.document.hidden_text == 0
    assert not any("hidden text" in w for w in report.warnings)


HIDDEN = [way for way, reason in HIDDEN_WAYS.items() if reason]


@pytest.mark.parametrize("way", HIDDEN, ids=HIDDEN)
def test_visibility_hidden_article_never_makes_the_clause_present(
    hidden_reports, report_schema, way: str
) -> None:
    document, report = hidden_reports[way]
    assert _status(report, "academic_freedom") != "present"
    assert report.document.hidden_text == len(document.hidden) >= 1
    count = len(document.hidden)
    passages = "passage" if count == 1 else "passages"
    assert any(w.startswith(f"{count} {passages} of hidden text") for w in report.warnings)
    data = json.loads(render(report, "json"))
    jsonschema.validate(data, report_schema)
    assert data["document"]["hidden_text"] == count
    assert any(ACADEMIC_FREEDOM[:40] in p["text"] for p in data["hidden_passages"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_visibility_reports_list_hidden_passages(hidden_reports, fmt: str) -> None:
    _, report = hidden_reports["vanish"]
    out = render(report, fmt)
    assert "Hidden text" in out
    assert "formatted as hidden text" in out
    assert "The Parties shall respect and safeguard academic freedom" in " ".join(out.split())


def test_visibility_hidden_only_document_is_refused(tmp_path: Path) -> None:
    """A draft whose every word is hidden has nothing to analyse; say so, not "all missing"."""
    import docx

    from analyser.errors import NoTextLayer

    document = docx.Document()
    document.add_paragraph().add_run(ACADEMIC_FREEDOM).font.hidden = True
    document.save(str(tmp_path / "all-hidden.docx"))
    with pytest.raises(NoTextLayer, match="no visible text"):
        extract(tmp_path / "all-hidden.docx")
