"""`analyser check` end to end: formats, schema, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from analyser.cli import main
from analyser.patterns import CLAUSE_IDS
from tests.conftest import SAMPLES
from tests.extract_fixtures import build_scanned_pdf

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".pdf", ".docx", ".txt"})


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_cli_check_json_validates_and_quotes_verbatim(runner, report_schema, path: Path) -> None:
    from analyser.extract import extract

    result = runner.invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    jsonschema.validate(report, report_schema)
    assert [c["id"] for c in report["clauses"]] == list(CLAUSE_IDS)
    text = extract(path).text
    for clause in report["clauses"]:
        if clause["status"] == "missing":
            assert clause["evidence"] == []
            assert clause["suggestion"]
        for ev in clause["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["text"]


def test_cli_check_text_is_default(runner) -> None:
    result = runner.invoke(main, ["check", str(SAMPLES / "collab-lakeshore-bremnes.txt")])
    assert result.exit_code == 0, result.output
    assert "Academic freedom" in result.output
    assert "\x1b[" not in result.output  # no colour when not a tty


def test_cli_check_html_output_file_is_self_contained(runner, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(
        main,
        [
            "check",
            str(SAMPLES / "model-nordkyst-capehighlands.pdf"),
            "--format",
            "html",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html and "http://" not in html and "https://" not in html
    assert "Exit strategy" in html
    assert not list(tmp_path.glob(".r.html.*")), "temporary file left behind"


def test_cli_check_markdown(runner) -> None:
    result = runner.invoke(
        main, ["check", str(SAMPLES / "mou-fjordvik-kilimani.pdf"), "-f", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# ")
    assert "| Clause" in result.output or "|Clause" in result.output


def _binary_docx(tmp_path: Path) -> Path:
    path = tmp_path / "contract.docx"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def _corrupt_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.pdf"
    data = (SAMPLES / "model-nordkyst-capehighlands.pdf").read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


BAD_FILES = {
    "missing": (lambda tmp: tmp / "missing.pdf", "not found"),
    "corrupt-pdf": (_corrupt_pdf, "pdf"),
    "scanned-pdf": (lambda tmp: build_scanned_pdf(tmp / "scan.pdf"), "no text layer"),
    "binary-renamed-docx": (_binary_docx, ""),
}


@pytest.mark.parametrize("kind", BAD_FILES, ids=list(BAD_FILES))
def test_cli_check_unreadable_file_exits_3_with_one_line(runner, tmp_path: Path, kind: str) -> None:
    make, expected = BAD_FILES[kind]
    path = make(tmp_path)
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert path.name in lines[0]
    assert expected in lines[0].lower()
    assert "Traceback" not in result.output


def test_cli_check_bad_file_does_not_lose_the_others(runner, tmp_path: Path) -> None:
    good = SAMPLES / "collab-lakeshore-bremnes.txt"
    result = runner.invoke(main, ["check", str(tmp_path / "gone.txt"), str(good), "-f", "json"])
    assert result.exit_code == 3
    assert "gone.txt" in result.stderr
    reports = json.loads(result.stdout)
    assert [r["document"]["name"] for r in reports] == [good.name]


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [(None, 0), ("missing", 1), ("partial", 1)],
    ids=["no-fail-on", "fail-on-missing", "fail-on-partial"],
)
def test_cli_check_fail_on(runner, fail_on: str | None, expected: int) -> None:
    # This sample lacks several clauses (see samples/labels.yaml).
    args = ["check", str(SAMPLES / "exchange-nordhavn-hanbit.pdf"), "-f", "json"]
    if fail_on:
        args += ["--fail-on", fail_on]
    assert runner.invoke(main, args).exit_code == expected


def test_cli_check_fail_on_passes_complete_agreement(runner) -> None:
    args = ["check", str(SAMPLES / "model-nordkyst-capehighlands.docx"), "--fail-on", "partial"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output


def test_cli_check_html_has_the_document_view_linked_both_ways(runner, tmp_path: Path) -> None:
    """The HTML report shows the document with its findings marked, as the web page does:
    each quote links to its mark in the document, each mark back to its clause or flag."""
    import re

    out = tmp_path / "r.html"
    args = ["check", str(SAMPLES / "exchange-nordhavn-hanbit.pdf"), "-f", "html", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<div class="docview" lang="en">' in html
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    to_marks = re.findall(r'<a class="to-doc" href="#([^"]+)"', html)
    back = re.findall(r'<a class="hl-link[^"]*" id="([^"]+)" href="#([^"]+)"', html)
    assert to_marks and back
    assert set(to_marks) <= ids, "a finding links to a mark that is not there"
    assert set(to_marks) <= {mark for mark, _ in back}
    assert {target for _, target in back} <= ids, "a mark links back to nothing"
    assert any(t.startswith("r1-clause-") for _, t in back)


def test_cli_check_pdf_refused_on_a_terminal() -> None:
    """A PDF is binary: written to a terminal it would be garbage, so exit 2 and say why."""
    out = _run_in_terminal(
        ["check", str(SAMPLES / "collab-lakeshore-bremnes.txt"), "-f", "pdf"], {}
    )
    assert "give -o FILE or redirect" in out
    assert "Traceback" not in out


def test_cli_check_pdf_without_renderer_exits_6(runner, tmp_path: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    out = tmp_path / "r.pdf"
    args = ["check", str(SAMPLES / "collab-lakeshore-bremnes.txt"), "-f", "pdf", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 6
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "WeasyPrint" in lines[0] and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [["check"], ["check", "x.txt", "--format", "rtf"], ["check", "x.txt", "--fail-on", "never"]],
    ids=["no-file", "bad-format", "bad-fail-on"],
)
def test_cli_check_usage_errors_exit_2(runner, args: list[str]) -> None:
    assert runner.invoke(main, args).exit_code == 2


def test_cli_check_unknown_profile_is_a_clear_error(runner) -> None:
    result = runner.invoke(
        main,
        ["check", str(SAMPLES / "collab-lakeshore-bremnes.txt"), "--profile", "no-such-profile"],
    )
    assert result.exit_code == 2
    assert "no such profile" in result.output and "eu-2024" in result.output


def test_cli_profiles_lists_default(runner) -> None:
    result = runner.invoke(main, ["profiles"])
    assert result.exit_code == 0, result.output
    assert "eu-2024" in result.output


def _run_in_terminal(args: list[str], env_extra: dict[str, str]) -> str:
    """Run the real CLI with its output on a pseudo-terminal (where colour is allowed)."""
    import os
    import subprocess
    import sys

    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env_extra
    try:
        subprocess.run(
            [sys.executable, "-m", "analyser", *args],
            stdout=slave,
            stderr=slave,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=180,
            check=False,
        )
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("extra_args", "env", "coloured"),
    [([], {}, True), ([], {"NO_COLOR": "1"}, False), (["--no-color"], {}, False)],
    ids=["terminal", "NO_COLOR", "--no-color"],
)
def test_cli_check_colour_only_when_allowed(extra_args, env, coloured: bool) -> None:
    out = _run_in_terminal(["check", str(SAMPLES / "mou-fjordvik-kilimani.txt"), *extra_args], env)
    assert "Verdict" in out or "verdict" in out.lower(), out[:500]
    assert ("\x1b[3" in out) is coloured


def test_cli_serve_port_in_use_is_one_line_exit_5(runner, tmp_path: Path) -> None:
    import socket

    from analyser.cli_serve import serve as serve_command

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            serve_command, ["--port", str(port), "--db", str(tmp_path / "db.sqlite3")]
        )
    assert result.exit_code == 5, result.output
    assert "already in use" in result.output and str(port) in result.output
    assert "Agreement analyser on" not in result.output  # no address printed before failing
    assert len(result.output.strip().splitlines()) == 1
