"""Untrusted names and text never reach a terminal or a report with control or bidi characters."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from analyser.cli import main
from analyser.printable import UNPRINTABLE, printable, printable_tree

ESC_CLEAR = "\x1b[2J\x1b[H"
RLO = "\u202e"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"a{ESC_CLEAR}b", "a[2J[Hb"),
        (f"publication {RLO}lavorppa\u202c", "publication lavorppa"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("Akademisk frihet – § 3 «ærlig»", "Akademisk frihet – § 3 «ærlig»"),
        ("\u2066isolate\u2069 \u200fmark", "isolate mark"),
    ],
    ids=["escape", "override", "whitespace", "letters", "isolates"],
)
def test_printable_removes_controls_and_bidi_formatting(raw: str, expected: str) -> None:
    assert printable(raw) == expected


def test_printable_tree_cleans_keys_and_nested_strings() -> None:
    tree = {"a\x1b": [f"x{RLO}y", {"k": "\x07bell"}, 3, None]}
    assert printable_tree(tree) == {"a": ["xy", {"k": "bell"}, 3, None]}


def test_printable_cli_error_line_has_no_escape_sequence(runner, tmp_path: Path) -> None:
    name = tmp_path / f"draft{ESC_CLEAR}fake.pdf"
    name.write_bytes(b"%PDF-1.7 broken")
    result = runner.invoke(main, ["check", str(name)])
    assert result.exit_code == 3
    assert "\x1b" not in result.output and "fake.pdf" in result.output


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A real analysis of a text whose academic-freedom article hides an RLO and an ESC."""
    from analyser.pipeline import Analyser

    path = tmp_path_factory.mktemp("printable") / f"mou{RLO}txt.exe"
    path.write_text(
        "Article 1 Academic freedom\n\n"
        f"The Parties affirm academic freedom; {RLO}no party may restrict publication\x1b[2J.\n",
        encoding="utf-8",
    )
    return Analyser.for_profile(None).analyse_path(path)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_printable_every_report_format_is_clean(hostile_report, fmt: str) -> None:
    from analyser.render import render

    out = render(hostile_report, fmt)
    assert not UNPRINTABLE.search(out.replace("\n", "").replace("\t", ""))
    if fmt == "json":
        assert json.loads(out)["document"]["name"] == "moutxt.exe"


def test_printable_checklist_docx_accepts_escape_in_text(hostile_report) -> None:
    from docx import Document as DocxDocument

    from analyser.checklist import build_checklist, docx_bytes

    data = hostile_report.to_dict()
    data["clauses"][0]["evidence"] = [{"text": "quote with \x1b escape", "page": 1}]
    content = docx_bytes(build_checklist(data))  # lxml refuses control characters in XML
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(content)).paragraphs)
    assert "\x1b" not in text
