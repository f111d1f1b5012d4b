"""`analyser compare`: gaps closed and opened, evidence and red flags that changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from analyser.cli_batch import compare
from analyser.compare import compare_reports, load_report, render_comparison

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
WEAK = SAMPLES / "mou-fjordvik-kilimani.txt"  # several gaps
STRONG = SAMPLES / "model-nordkyst-capehighlands.txt"  # the model agreement: no gaps


def _clause(cid: str, status: str, quotes: list[str], found: tuple[str, ...] = ()) -> dict:
    return {
        "id": cid,
        "title": cid.replace("_", " ").title(),
        "status": status,
        "confidence": 0.9,
        "evidence": [
            {"text": q, "start": 0, "end": len(q), "page": 1, "section": "1"} for q in quotes
        ],
        "elements": [
            {"id": e, "title": f"element {e}", "found": e in found, "core": True}
            for e in ("a", "b")
        ],
    }


def _report(name: str, clauses: list[dict], flags: list[dict] | None = None) -> dict[str, Any]:
    return {
        "document": {"name": name, "sha256": name * 8},
        "clauses": clauses,
        "red_flags": flags or [],
        "profile": "eu-2024",
    }


OLD = _report(
    "v1",
    [
        _clause("ipr", "partial", ["IP is left to a later agreement."], ("a",)),
        _clause("exit_strategy", "present", ["Either Party may terminate on notice."], ("a", "b")),
        _clause("reciprocity", "missing", []),
        _clause("data_management", "partial", ["Data are kept securely."]),
    ],
    [{"id": "gov_access", "title": "Government access", "severity": "high", "evidence": []}],
)
NEW = _report(
    "v2",
    [
        _clause("ipr", "present", ["Each Party owns the Results it generates."], ("a", "b")),
        _clause("exit_strategy", "partial", ["Either Party may terminate on notice."], ("a",)),
        _clause("reciprocity", "partial", ["Cooperation on an equal footing."]),
        _clause("data_management", "missing", []),
    ],
    [
        {
            "id": "unilateral_ip",
            "title": "All IP to one party",
            "severity": "medium",
            "evidence": [{"text": "All results belong to the Partner.", "page": 3}],
        }
    ],
)


def test_classifies_each_kind_of_change():
    result = compare_reports(OLD, NEW)
    changes = {c.id: c.change for c in result.clauses}
    assert changes == {
        "ipr": "closed",
        "exit_strategy": "opened",
        "reciprocity": "improved",
        "data_management": "worsened",
    }
    assert [c.id for c in result.gaps_closed] == ["ipr"]
    assert [c.id for c in result.gaps_opened] == ["exit_strategy"]
    assert [f.id for f in result.flags_appeared] == ["unilateral_ip"]
    assert [f.id for f in result.flags_disappeared] == ["gov_access"]
    ipr = next(c for c in result.clauses if c.id == "ipr")
    assert [q.text for q in ipr.evidence_added] == ["Each Party owns the Results it generates."]
    assert [q.text for q in ipr.evidence_removed] == ["IP is left to a later agreement."]
    assert ipr.elements_found == ["element b"]
    exit_clause = next(c for c in result.clauses if c.id == "exit_strategy")
    assert not exit_clause.evidence_changed and exit_clause.elements_lost == ["element b"]


def test_moved_quote_is_not_an_evidence_change():
    moved = copy.deepcopy(OLD)
    for clause in moved["clauses"]:
        for ev in clause["evidence"]:
            ev["page"], ev["text"] = 7, f"  {ev['text']}\n"
    result = compare_reports(OLD, moved)
    assert result.identical


def test_clause_only_in_one_version():
    new = copy.deepcopy(NEW)
    new["clauses"].append(_clause("academic_freedom", "present", ["Free to publish."]))
    changes = {c.id: c.change for c in compare_reports(OLD, new).clauses}
    assert changes["academic_freedom"] == "added"
    assert {c.id: c.change for c in compare_reports(new, OLD).clauses}["academic_freedom"] == (
        "removed"
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_every_format_names_the_changes(fmt):
    out = render_comparison(compare_reports(OLD, NEW), fmt)
    if fmt == "json":
        summary = json.loads(out)["summary"]
        assert summary["gaps_closed"] == ["ipr"] and summary["gaps_opened"] == ["exit_strategy"]
        assert summary["flags_appeared"] == ["unilateral_ip"]
        return
    for text in (
        "Ipr",
        "Exit Strategy",
        "gap closed",
        "gap opened",
        "All IP to one party",
        "Government access",
        "Each Party owns the Results it generates.",
    ):
        assert text in out, (fmt, text)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_document_text_cannot_inject_markup(fmt):
    hostile = copy.deepcopy(NEW)
    hostile["clauses"][0]["evidence"][0]["text"] = "<script>alert(1)</script> | *x*"
    out = render_comparison(compare_reports(OLD, hostile), fmt)
    assert "<script>alert(1)" not in out


def test_cli_on_two_documents(runner):
    result = runner.invoke(compare, [str(WEAK), str(STRONG), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    old = load_report(WEAK)
    gaps = [c["id"] for c in old["clauses"] if c["status"] != "present"]
    assert summary["gaps_closed"] == gaps  # the model agreement has every clause
    assert summary["gaps_opened"] == []


def test_cli_on_json_reports_and_documents_alike(tmp_path, runner):
    old_json = tmp_path / "old.json"
    old_json.write_text(json.dumps(load_report(WEAK)), encoding="utf-8")
    from_json = runner.invoke(compare, [str(old_json), str(STRONG), "-f", "json"])
    from_doc = runner.invoke(compare, [str(WEAK), str(STRONG), "-f", "json"])
    assert from_json.exit_code == 0
    # The clause comparison is the same; only two documents have text for a word-level redline.
    text_only = ("text_changes", "similarity", "warnings")
    by_doc = {k: v for k, v in json.loads(from_doc.output).items() if k not in text_only}
    by_json = json.loads(from_json.output)
    assert by_json["text_changes"] == [] and "similarity" not in by_json
    assert {k: v for k, v in by_json.items() if k not in text_only} == by_doc
    out = tmp_path / "diff.html"
    written = runner.invoke(compare, [str(old_json), str(STRONG), "-f", "html", "-o", str(out)])
    assert written.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_same_document_is_identical(runner):
    result = runner.invoke(compare, [str(WEAK), str(WEAK)])
    assert result.exit_code == 0
    assert "No differences" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"not": "a report"}', "not an analyser report"), ("{broken", "not a readable JSON")],
    ids=["other-json", "broken-json"],
)
def test_cli_rejects_json_that_is_not_a_report(tmp_path, runner, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(compare, [str(bad), str(WEAK)])
    assert result.exit_code == 3
    assert message in result.output


def test_cli_missing_document_exits_3(tmp_path, runner):
    result = runner.invoke(compare, [str(tmp_path / "nope.txt"), str(WEAK)])
    assert result.exit_code == 3


MALFORMED_REPORTS = {
    "deep-nesting": "[" * 90_000 + "]" * 90_000,
    "not-json": "{not json",
    "clauses-not-a-list": '{"document": {"name": "a"}, "clauses": "x"}',
    "bad-status": '{"document": {"name": "a"}, "clauses": [{"id": "ipr", "status": "great"}]}',
    "evidence-not-a-list": (
        '{"document": {"name": "a"}, "clauses": '
        '[{"id": "ipr", "status": "present", "evidence": 5}]}'
    ),
    "flag-without-severity": (
        '{"document": {"name": "a"}, "clauses": [], "red_flags": [{"id": "x"}]}'
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_REPORTS))
@pytest.mark.parametrize("command", ["compare", "checklist"])
def test_compare_malformed_report_json_is_one_line_exit_3(
    runner, tmp_path: Path, case: str, command: str
) -> None:
    from analyser.cli import main

    bad = tmp_path / "report.json"
    bad.write_text(MALFORMED_REPORTS[case], encoding="utf-8")
    if command == "compare":
        args = ["compare", str(bad), str(bad)]
    else:
        args = ["checklist", str(bad), "-o", str(tmp_path / "c.md")]
    result = runner.invoke(main, args)
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "report.json" in result.output


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_compare_norwegian_versions_have_no_english_label(runner, fmt):
    """Two versions of a Norwegian agreement are compared in Norwegian (labels as data)."""
    import re

    from tests.test_render import english_only_labels

    old, new = SAMPLES / "mou-fjordvik-kilimani-nb.txt", SAMPLES / "mou-fjordvik-kilimani-nb.pdf"
    result = runner.invoke(compare, [str(old), str(new), "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.output
    if fmt == "html":
        assert '<html lang="nb">' in out
        out = re.sub(r"<style>.*?</style>|<[^>]+>", " ", out, flags=re.S)
    assert "Sammenligning" in out
    english = [
        label
        for label in english_only_labels()
        if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", out)
    ]
    assert english == []


def test_compare_unrelated_warning_in_the_report_language(runner):
    """The "different agreements" warning is worded per language; the JSON keeps English."""
    old, other = SAMPLES / "mou-fjordvik-kilimani-nb.txt", SAMPLES / "mou-nordlys-redriver-nb.pdf"
    text = runner.invoke(compare, [str(old), str(other)])
    assert text.exit_code == 0, text.output
    assert "Advarsel: De to dokumentene har lite tekst felles" in text.output
    assert "share only" not in text.output
    data = json.loads(runner.invoke(compare, [str(old), str(other), "-f", "json"]).output)
    assert any("look like different agreements" in w for w in data["warnings"])
    assert "unrelated_warning" not in data


def _numbered_clauses(count: int, seed: int) -> str:
    """Short numbered paragraphs of shuffled agreement words: quick to analyse, and two such
    texts are the worst case of the paragraph alignment (every paragraph differs)."""
    import random

    rng = random.Random(seed)
    words = [
        "party",
        "agreement",
        "research",
        "data",
        "shall",
        "results",
        "publication",
        "annex",
        "notice",
    ]
    return "\n\n".join(
        f"{n}. " + " ".join(rng.choice(words) for _ in range(6)) + "." for n in range(count)
    )


def test_compare_word_diff_runs_under_the_deadline_too(tmp_path: Path) -> None:
    """Both analyses finish in time (2 s each), but aligning 7,000 paragraphs that all differ
    takes over half a minute: the redline has a worker and a deadline of its own."""
    import subprocess
    import sys
    import time

    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(_numbered_clauses(7000, 1), encoding="utf-8")
    new.write_text(_numbered_clauses(7000, 2), encoding="utf-8")
    seconds = 10
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "analyser", "compare", str(old), str(new), "--no-model",
         "--max-seconds", str(seconds)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"Error: comparison of old.txt and new.txt: analysis timed out after {seconds} s"
    ]
    assert elapsed <= 2 * seconds + 5, f"took {elapsed:.1f} s"  # analyses, then the redline
