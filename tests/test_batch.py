"""`analyser batch`: every good document gets its report, whatever happens to the others.

The folder mixes real samples (PDF, DOCX, TXT), TXT copies with varied text and four broken
files. Crashes, hangs and an interrupted run are exercised in real subprocesses (a fresh
interpreter, real worker processes, real signals).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from analyser.batch import (
    BatchOptions,
    BatchResult,
    DocResult,
    ProgressLine,
    assign_names,
    discover,
    display_names,
    parse_formats,
    run_batch,
    summary_csv,
    summary_html,
)
from analyser.cli_batch import batch
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
BROKEN = {
    "truncated.pdf": "truncated",
    "not-a-docx.docx": "not a docx",
    "empty.txt": "empty",
    "noise.pdf": "binary",
}
BATCH_CMD = [sys.executable, "-c", "from analyser.cli_batch import batch; batch()"]


def _make_folder(root: Path, copies: int = 10) -> tuple[Path, list[str]]:
    """~20 documents in nested folders, 4 of them broken; returns the folder and good names."""
    folder = root / "agreements"
    (folder / "faculty-a").mkdir(parents=True)
    (folder / "faculty-b").mkdir()
    good = []
    for sample in (
        "mou-fjordvik-kilimani.pdf",
        "rca-vestland-andes.docx",
        "mou-nordlys-redriver-nb.pdf",
        "dsa-hordafjord-lakeshore.docx",
    ):
        shutil.copy(SAMPLES / sample, folder / sample)
        good.append(sample)
    texts = sorted(SAMPLES.glob("*.txt"))
    for i in range(copies):
        source = texts[i % len(texts)].read_text(encoding="utf-8")
        name = f"draft-{i:02d}.txt"
        sub = folder / ("faculty-a" if i % 2 else "faculty-b")
        (sub / name).write_text(
            f"{source}\n\nAnnex {i}: version {i + 1} of the draft.\n", encoding="utf-8"
        )
        good.append(name)
    pdf = (SAMPLES / "mou-fjordvik-kilimani.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    with zipfile.ZipFile(folder / "not-a-docx.docx", "w") as archive:
        archive.writestr("hello.txt", "a zip file, but not a Word document")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "faculty-b" / "noise.pdf").write_bytes(bytes(range(256)) * 40)
    # Not agreements: must not be picked up.
    (folder / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")
    return folder, good


def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSER_TEST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    return _make_folder(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="module")
def first_run(folder, tmp_path_factory):
    """One batch over the folder, shared by the tests that only read its output."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(
        batch, [str(folder[0]), "--out", str(out), "--jobs", "2", "--format", "html,md"]
    )
    return result, out


def test_every_good_document_gets_its_reports(folder, first_run):
    _root, good = folder
    result, out = first_run
    assert result.exit_code == 3, result.output
    for name in good:
        for ext in ("json", "html", "md"):
            assert (out / f"{name}.{ext}").is_file(), f"{name}.{ext}"
    data = json.loads((out / "draft-03.txt.json").read_text(encoding="utf-8"))
    assert data["document"]["name"] == "draft-03.txt"
    assert {c["id"] for c in data["clauses"]} >= {"ipr", "exit_strategy"}
    assert "18 documents: 14 analysed, 0 already done, 4 could not be read" in result.output
    assert not list(out.glob(".*")), "temporary files left behind"


def test_summary_lists_broken_documents_with_reasons(folder, first_run):
    _root, good = folder
    _result, out = first_run
    rows = {Path(r["file"]).name: r for r in _rows(out)}
    assert set(rows) == set(good) | set(BROKEN)
    for name, reason in BROKEN.items():
        assert reason in rows[name]["error"].lower(), rows[name]
        assert rows[name]["report"] == ""
    for name in good:
        row = rows[name]
        assert row["error"] == "" and row["report"] == f"{name}.json"
        assert row["language"] in {"en", "nb", "nn"}
        assert len(row["sha256"]) == 64
        for clause in (
            "fundamental_values",
            "academic_freedom",
            "reciprocity",
            "ipr",
            "data_management",
            "exit_strategy",
        ):
            assert row[clause] in {"present", "partial", "missing"}
    assert rows["mou-fjordvik-kilimani.pdf"]["pages"] == "4"
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert 'href="draft-03.txt.html"' in html
    assert "<script>" in html and "aria-sort" in html
    for label in ("Present", "Partial", "Missing"):
        assert label in html  # traffic lights carry text, not colour alone
    assert "not a DOCX" in html


def test_rerun_skips_finished_documents_and_force_redoes_them(folder, tmp_path, runner):
    root, good = folder
    out = tmp_path / "out"
    args = [str(root), "--out", str(out), "--jobs", "2"]
    assert runner.invoke(batch, args).exit_code == 3
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    again = runner.invoke(batch, args)
    assert again.exit_code == 3
    assert f"0 analysed, {len(good)} already done, 4 could not be read" in again.output
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == before
    assert len(_rows(out)) == len(good) + 4  # the summary still lists everything

    changed = root / "faculty-a" / "draft-01.txt"
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original + "\nArticle 99: amended.\n", encoding="utf-8")
        partly = runner.invoke(batch, args)
        assert f"1 analysed, {len(good) - 1} already done" in partly.output
    finally:
        changed.write_text(original, encoding="utf-8")
    forced = runner.invoke(batch, [*args, "--force"])
    assert f"{len(good)} analysed, 0 already done" in forced.output


def test_all_readable_exits_0(tmp_path, runner):
    shutil.copy(SAMPLES / "mou-fjordvik-kilimani.txt", tmp_path / "a.txt")
    result = runner.invoke(batch, [str(tmp_path / "*.txt"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a.txt.json").is_file()


def test_name_clashes_get_distinct_report_files(tmp_path, runner):
    for sub in ("x", "y"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(SAMPLES / "mou-fjordvik-kilimani.txt", tmp_path / "in" / sub / "mou.txt")
    result = runner.invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "out").glob("*.json")} == {
        "x__mou.txt.json",
        "y__mou.txt.json",
    }


def test_no_files_is_a_usage_error(tmp_path, runner):
    result = runner.invoke(batch, [str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no PDF, DOCX or TXT files" in result.output


def test_unknown_format_is_a_usage_error(tmp_path, runner):
    result = runner.invoke(batch, [str(tmp_path), "--out", str(tmp_path / "o"), "-f", "pdf"])
    assert result.exit_code == 2
    assert "unknown format" in result.output


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (
            ["/data/a/mou.pdf", "/data/b/mou.pdf", "/data/c.txt"],
            ["a__mou.pdf", "b__mou.pdf", "c.txt"],
        ),
        (["/x/a/mou.pdf", "/y/a/mou.pdf"], ["x__a__mou.pdf", "y__a__mou.pdf"]),
        (["/d/mou.pdf", "/d/mou.txt"], ["mou.pdf", "mou.txt"]),
    ],
    ids=["parent-folder", "two-levels", "same-stem"],
)
def test_assign_names_is_unique_and_order_independent(paths, expected):
    assert assign_names([Path(p) for p in paths]) == expected
    reversed_names = assign_names([Path(p) for p in reversed(paths)])
    assert reversed_names == list(reversed(expected))


def test_discover_walks_folders_globs_and_skips_output(folder, tmp_path):
    root, good = folder
    found = {p.name for p in discover([root])}
    assert found == set(good) | set(BROKEN)
    assert {p.name for p in discover([str(root / "faculty-*" / "*.txt")])} == {
        n for n in good if n.startswith("draft-")
    }
    out = root / "reports-inside"
    out.mkdir(exist_ok=True)
    (out / "report.txt").write_text("a text report", encoding="utf-8")
    try:
        assert "report.txt" not in {p.name for p in discover([root], exclude=out)}
    finally:
        shutil.rmtree(out)
    missing = discover([tmp_path / "nope.pdf"])
    assert missing == [tmp_path / "nope.pdf"]  # reported as not found, not silently dropped


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("html,md", ("json", "html", "markdown")),
        ("json", ("json",)),
        ("text, JSON", ("json", "text")),
    ],
    ids=["html-md", "json-only", "spaces-case"],
)
def test_parse_formats_always_includes_json(spec, expected):
    assert parse_formats(spec) == expected


def test_summary_csv_neutralises_formulas():
    from analyser.batch import BatchResult, DocResult

    row = DocResult("=HYPERLINK(1).pdf", "x", error="empty file")
    text = summary_csv(BatchResult([row], ["ipr"], {"ipr": "IPR"}, ("json",)))
    assert "'=HYPERLINK(1).pdf" in text


def test_progress_line_quiet_unless_enabled():
    quiet, loud = io.StringIO(), io.StringIO()
    ProgressLine(quiet)(3, 10)
    line = ProgressLine(loud, enabled=True)
    line(0, 10)
    line(10, 10)
    assert quiet.getvalue() == ""
    assert "10/10 documents" in loud.getvalue() and "/s" in loud.getvalue()


def test_crashing_and_hanging_workers_do_not_lose_other_reports(folder, tmp_path):
    """A worker SIGKILLed mid-document and one that hangs: both reported, the rest done."""
    root, good = folder
    out = tmp_path / "out"
    env = _env(ANALYSER_TEST_CRASH_ON="draft-04.txt", ANALYSER_TEST_HANG_ON="draft-07.txt")
    proc = subprocess.run(
        [*BATCH_CMD, str(root), "--out", str(out), "--jobs", "2", "--timeout", "15"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    rows = {Path(r["file"]).name: r for r in _rows(out)}
    assert "SIGKILL" in rows["draft-04.txt"]["error"]
    assert "timed out after 15 s" in rows["draft-07.txt"]["error"]
    for name in set(good) - {"draft-04.txt", "draft-07.txt"}:
        assert (out / f"{name}.json").is_file(), name
        assert rows[name]["error"] == ""


def test_killed_batch_resumes_with_only_the_rest(folder, tmp_path):
    """Kill the whole batch (parent and workers) half way; the re-run does only the rest."""
    root, good = folder
    out = tmp_path / "out"
    # With one worker the documents go largest first (ties in the order found); the hang
    # holds the batch half way through.
    found = discover([root])
    order = [p.name for p in sorted(found, key=lambda p: -p.stat().st_size)]
    stall = order[len(order) // 2]
    proc = subprocess.Popen(
        [*BATCH_CMD, str(root), "--out", str(out), "--jobs", "1"],
        cwd=REPO,
        env=_env(ANALYSER_TEST_HANG_ON=stall),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    expected_done = {n for n in order[: order.index(stall)] if n in good}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if {p.name.removesuffix(".json") for p in out.glob("*.json")} >= expected_done:
                break
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    done_before = {p.name.removesuffix(".json") for p in out.glob("*.json")}
    assert done_before == expected_done
    assert not (out / "summary.csv").exists()

    rerun = subprocess.run(
        [*BATCH_CMD, str(root), "--out", str(out), "--jobs", "2"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 3, rerun.stderr
    remaining = len(good) - len(done_before)
    assert f"{remaining} analysed, {len(done_before)} already done" in rerun.stdout
    assert {p.name.removesuffix(".json") for p in out.glob("*.json")} == set(good)


# --- operator paths (issue 13) ----------------------------------------------------------


def _operator_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(parents=True)
    sample = REPO / "samples" / "mou-fjordvik-kilimani.txt"
    shutil.copy(sample, folder / "mou.txt")
    shutil.copy(sample, folder / ("x" * 250 + ".txt"))  # 254 characters: the report's is 259
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Article 1 Data. The password is hunter2.\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(secret)
    return folder


def test_batch_long_names_symlinks_and_own_outputs(runner, tmp_path: Path) -> None:
    folder = _operator_folder(tmp_path)
    result = runner.invoke(batch, [str(folder), "--out", str(folder), "--format", "json,text"])
    assert result.exit_code == 0, result.output
    assert "2 documents: 2 analysed" in result.output  # the link out of the folder is skipped
    reports = sorted(p.name for p in folder.glob("*.json"))
    assert len(reports) == 2 and all(len(name.encode()) <= 255 for name in reports)
    assert "hunter2" not in "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.json"))
    again = runner.invoke(batch, [str(folder), "--out", str(folder), "--format", "json,text"])
    assert again.exit_code == 0, again.output
    assert "2 documents: 0 analysed, 2 already done" in again.output  # its own reports not read
    fresh = _operator_folder(tmp_path / "fresh")
    followed = runner.invoke(
        batch, [str(fresh), "--out", str(tmp_path / "o2"), "--follow-symlinks"]
    )
    assert "3 documents: 3 analysed" in followed.output, followed.output


def test_batch_unwritable_output_folder_is_exit_5_before_analysing(runner, tmp_path: Path) -> None:
    folder = _operator_folder(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(batch, [str(folder), "--out", str(blocker / "out")])
    assert result.exit_code == 5, result.output
    assert "Traceback" not in result.output and "analysed" not in result.output


# --------------------------------------------------------------------------- the summary for a
# head of office: relative names, worst first, totals and filters; then in a real Chromium on
# the batch of the shared corpus's development half.

CLAUSES = ["academic_freedom", "ipr"]


def _row(
    path: str, statuses: tuple[str, str], risk: str | None, flags: dict[str, int]
) -> DocResult:
    return DocResult(
        path=path,
        name=Path(path).name,
        language="en",
        statuses=dict(zip(CLAUSES, statuses, strict=True)),
        red_flags=sum(flags.values()),
        risk=risk,
        flag_severities=flags,
        flag_ids=[f"flag_{s}" for s in flags],
    )


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["/srv/in/a/mou.pdf", "/srv/in/b/c/dsa.txt"], ["a/mou.pdf", "b/c/dsa.txt"]),
        (["/srv/in/mou.pdf", "/srv/in/dsa.txt"], ["mou.pdf", "dsa.txt"]),
        (["/srv/in/a/mou.pdf", "/srv/in/mou.pdf"], ["a/mou.pdf", "mou.pdf"]),
    ],
    ids=["sub-folders", "one-folder", "mixed-depth"],
)
def test_batch_summary_names_are_relative_to_the_shared_folder(paths, expected) -> None:
    rows = [DocResult(path=p, name=Path(p).name) for p in paths]
    assert [display_names(rows)[p] for p in paths] == [e.replace("/", os.sep) for e in expected]


def test_batch_summary_puts_the_worst_first_with_totals() -> None:
    rows = [
        _row("/srv/in/a/fine.txt", ("present", "present"), "low", {}),
        _row("/srv/in/a/gaps.txt", ("missing", "partial"), "medium", {"medium": 1}),
        DocResult(path="/srv/in/b/broken.pdf", name="broken.pdf", error="truncated PDF"),
        _row("/srv/in/b/risky.txt", ("present", "partial"), "high", {"high": 2, "low": 1}),
        _row("/srv/in/b/holes.txt", ("missing", "missing"), "medium", {}),
    ]
    html = summary_html(BatchResult(rows, CLAUSES, {c: c for c in CLAUSES}, ("json",)))
    assert "/srv/in" not in html
    shown = re.findall(r'<td class="doc" data-sort="([^"]+)"', html)
    assert shown == ["b/risky.txt", "b/holes.txt", "a/gaps.txt", "a/fine.txt", "b/broken.pdf"]
    totals = dict(re.findall(r'<td data-clause="(\w+)">([^<]+)</td>', html))
    assert totals == {
        "academic_freedom": "✗ 2 · ◐ 0 · ✓ 2",
        "ipr": "✗ 1 · ◐ 2 · ✓ 1",
    }
    verdicts = dict(re.findall(r'data-status="(\w+)">.*?</span> (\d+) ', html))
    assert verdicts == {"missing": "2", "partial": "1", "present": "1"}
    assert "⚑ 2 high · 1 medium · 1 low red flags" in html
    options = re.findall(r'<option value="([^"]*)">', html)
    assert {"high", "medium", "low", "flag_high", "failed"} <= set(options)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [(["nb", "nn", "en"], "nb"), (["nb", "en"], "en"), (["en", "en", "nb"], "en")],
    ids=["mostly-norwegian", "tie", "mostly-english"],
)
def test_batch_summary_speaks_the_language_of_most_documents(languages, expected) -> None:
    from analyser.i18n import messages

    rows = [
        _row(f"/srv/in/doc-{n}.txt", ("missing", "present"), "high", {"high": 1})
        for n in range(len(languages))
    ]
    for row, language in zip(rows, languages, strict=True):
        row.language = language
    titles = {"academic_freedom": "Academic freedom", "ipr": "Intellectual property rights"}
    html = summary_html(BatchResult(rows, CLAUSES, titles, ("json",)))
    assert f'<html lang="{expected}">' in html
    ours, other = messages(expected)["batch"], messages("en" if expected == "nb" else "nb")["batch"]
    assert f"<h1>{ours['title']}</h1>" in html
    assert messages(expected)["clause_titles"]["academic_freedom"] in html
    labels = [v for k, v in other.items() if isinstance(v, str) and "%(" not in v]
    leaked = [v for v in labels if v != ours[_key(other, v)] and f">{v}<" in html]
    assert leaked == []


def _key(mapping: dict, value: str) -> str:
    return next(k for k, v in mapping.items() if v == value)


@pytest.fixture(scope="module")
def dev_summary(tmp_path_factory) -> Path:
    """The batch summary of the development half of the shared corpus (never the held-out
    texts), in two sub-folders so that names are relative paths."""
    corpus = SHARED / "corpus"
    labels = corpus / "dev-labels.jsonl"
    if not labels.exists():
        pytest.skip(f"shared corpus not found at {corpus}")
    ids = {json.loads(line)["id"] for line in labels.read_text(encoding="utf-8").splitlines()}
    root = tmp_path_factory.mktemp("dev") / "agreements"
    dev = [p for p in sorted((corpus / "texts").glob("*.txt")) if p.stem in ids]
    for n, path in enumerate(dev):
        target = root / ("a" if n % 2 else "b") / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    out = root.parent / "out"
    run_batch(sorted(root.rglob("*.txt")), BatchOptions(out_dir=out, jobs=2))
    return out / "summary.html"


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.slow
@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason=f"{CHROMIUM} not installed"
)
def test_batch_summary_fits_filters_and_sorts_in_chromium(dev_summary, tmp_path) -> None:
    """The head of office's page in a real headless Chromium at 1366 x 768: it fits, axe finds
    nothing serious, the header stays in view, totals add up, the chart has its bars, sorting
    a clause column puts the worst first, and every filter shows only matching rows; at 390 px
    the page is no wider than the phone."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python"
    )
    html = dev_summary.read_text(encoding="utf-8")
    assert str(dev_summary.parents[1]) not in html, "names relative to the input folder"
    assert "http://" not in html and "https://" not in html.replace("http://www.w3.org", "")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(dev_summary.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, "fits 1366 px"
        serious = [
            v["id"]
            for v in axe_module.Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
        # The README's picture (kept when ANALYSER_SCREENSHOTS names a folder, see
        # docs/screenshots/regenerate.sh); it must not be blank.
        shots = Path(os.environ.get("ANALYSER_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "batch-summary.png"))
        assert (shots / "batch-summary.png").stat().st_size > 10_000
        rows = page.locator("#matrix tbody tr")
        total = rows.count()
        assert total == 25
        assert all(
            n.startswith(("a/", "b/")) for n in page.locator("#matrix td.doc a").all_inner_texts()
        )
        # Totals per clause and per status add up to the documents; a bar per clause.
        for cell in page.locator("#clause-totals td[data-clause]").all_inner_texts():
            assert sum(int(n) for n in re.findall(r"\d+", cell)) == total
        assert page.locator("#chart rect.bar").evaluate_all(
            "bars => new Set(bars.map(b => b.dataset.clause)).size"
        ) == len(page.locator("#clause-totals td[data-clause]").all_inner_texts())
        statuses = page.locator("#status-totals li[data-status]").all_inner_texts()
        assert sum(int(re.search(r"\d+", t).group()) for t in statuses) == total
        # The header stays in view when the table scrolls.
        page.mouse.wheel(0, 1500)
        page.wait_for_function("window.scrollY > 600")
        top = page.locator("#matrix thead th").first.evaluate(
            "el => el.getBoundingClientRect().top"
        )
        assert abs(top) < 2, "sticky header"
        # Rows come worst first: no document's risk is lower than the next one's.
        rank = {"high": 0, "medium": 1, "low": 2, "–": 3}
        risks = [rank[t.strip().lower()] for t in rows.locator("td:nth-child(3)").all_inner_texts()]
        assert risks == sorted(risks)
        # Sorting a clause column puts the worst first.
        header = page.locator("#matrix thead th", has_text="Academic freedom")
        column = page.locator("#matrix thead th").all_inner_texts().index(header.inner_text())
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        ranks = {"Missing": 0, "Partial": 1, "Present": 2}
        cells = rows.locator(f"td:nth-child({column + 1})").all_inner_texts()
        order = [ranks[c.split()[-1]] for c in cells]
        assert order == sorted(order) and order[0] == 0
        # Filters by verdict, risk, language and red flag; the count says what is shown.
        shown = page.locator("#matrix tbody tr:not([hidden])")
        for select, column in (("#filter-status", 2), ("#filter-risk", 3), ("#filter-language", 4)):
            value = page.locator(f"{select} option").nth(1).get_attribute("value")
            label = page.locator(f"{select} option").nth(1).inner_text()
            page.select_option(select, value)
            assert 0 < shown.count() < total, select
            texts = shown.locator(f"td:nth-child({column})").all_inner_texts()
            assert all(label.lower() in t.lower() for t in texts), (select, label, texts)
            assert page.locator("#shown").inner_text() == f"{shown.count()} shown"
            page.select_option(select, "")
        assert shown.count() == total
        page.select_option("#filter-flag", "any")
        assert 0 < shown.count() < total
        assert all(t != "0" for t in shown.locator("td:nth-last-child(1)").all_inner_texts())
        page.select_option("#filter-flag", "none")
        assert all(t == "0" for t in shown.locator("td:nth-last-child(1)").all_inner_texts())
        # On a phone the page keeps its width (the table scrolls inside it), still axe-clean.
        page.set_viewport_size({"width": 390, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not [
            v["id"]
            for v in axe_module.Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        browser.close()


# --- annotated copies (issue 15) --------------------------------------------------------


def _annotate_folder(tmp_path: Path) -> Path:
    """A real DOCX and PDF (to annotate), a TXT (nothing to annotate), a broken DOCX, and a
    second DOCX with a name too long for "<name>.annotated.docx" uncut."""
    folder = tmp_path / "drafts"
    folder.mkdir(parents=True)
    for sample in (
        "rca-vestland-andes.docx",
        "mou-fjordvik-kilimani.pdf",
        "collab-lakeshore-bremnes.txt",
    ):
        shutil.copy(SAMPLES / sample, folder / sample)
    shutil.copy(SAMPLES / "dsa-hordafjord-lakeshore.docx", folder / ("d" * 245 + ".docx"))
    with zipfile.ZipFile(folder / "not-a-docx.docx", "w") as archive:
        archive.writestr("hello.txt", "a zip file, but not a Word document")
    return folder


def _comment_count(path: Path) -> int:
    import docx

    return len(list(docx.Document(str(path)).comments))


def _pdf_annotation_count(path: Path) -> int:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(path))
    return sum(raw.FPDFPage_GetAnnotCount(page.raw) for page in pdf)


def test_batch_annotate_writes_a_copy_beside_each_report(runner, tmp_path: Path) -> None:
    folder = _annotate_folder(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "out"
    result = runner.invoke(batch, [str(folder), "--out", str(out), "--annotate", "--no-model"])
    assert result.exit_code == 3, result.output  # the broken DOCX
    assert "3 annotated drafts" in result.output
    rows = {Path(r["file"]).name: r for r in _rows(out)}
    docx_copy = out / rows["rca-vestland-andes.docx"]["annotated"]
    assert docx_copy.name == "rca-vestland-andes.docx.annotated.docx"
    assert _comment_count(docx_copy) > 0
    pdf_copy = out / rows["mou-fjordvik-kilimani.pdf"]["annotated"]
    assert pdf_copy.name == "mou-fjordvik-kilimani.pdf.annotated.pdf"
    assert _pdf_annotation_count(pdf_copy) > 0
    long_copy = out / rows["d" * 245 + ".docx"]["annotated"]
    assert long_copy.is_file() and len(long_copy.name.encode()) <= 255
    assert rows["collab-lakeshore-bremnes.txt"]["annotated"] == ""
    assert rows["not-a-docx.docx"]["error"] and rows["not-a-docx.docx"]["annotated"] == ""
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert '<a class="annotated" href="rca-vestland-andes.docx.annotated.docx">' in summary
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # inputs untouched


def test_batch_annotate_failure_is_reported_for_that_file_only(runner, tmp_path: Path) -> None:
    """The PDF's copy cannot be written (a folder holds its name): its report is still
    there, the row and stderr say why, the DOCX gets its copy, and the exit code is 3."""
    folder = _annotate_folder(tmp_path)
    (folder / "not-a-docx.docx").unlink()
    out = tmp_path / "out"
    (out / "mou-fjordvik-kilimani.pdf.annotated.pdf").mkdir(parents=True)
    result = runner.invoke(batch, [str(folder), "--out", str(out), "--annotate", "--no-model"])
    assert result.exit_code == 3, result.output
    assert "mou-fjordvik-kilimani.pdf: not annotated: could not write the annotated copy" in (
        result.output
    )
    rows = {Path(r["file"]).name: r for r in _rows(out)}
    failed = rows["mou-fjordvik-kilimani.pdf"]
    assert (
        failed["error"] == ""
        and failed["annotated"] == ""
        and "is a folder" in (failed["annotate_error"])
    )
    assert (out / "mou-fjordvik-kilimani.pdf.json").is_file()
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert '· not annotated: <span lang="en">could not write the annotated copy' in summary
    assert (
        rows["rca-vestland-andes.docx"]["annotated"]
        and rows["rca-vestland-andes.docx"]["annotate_error"] == ""
    )


def test_batch_annotate_into_the_input_folder_and_resume(runner, tmp_path: Path) -> None:
    """Copies written into the input folder are never inputs on a re-run; a re-run redoes
    only the document whose copy is missing; an input with a copy's name is not overwritten."""
    folder = _annotate_folder(tmp_path)
    (folder / "not-a-docx.docx").unlink()
    args = [str(folder), "--out", str(folder), "--annotate", "--no-model"]
    first = runner.invoke(batch, args)
    assert first.exit_code == 0, first.output
    assert "4 documents: 4 analysed" in first.output
    copy = folder / "rca-vestland-andes.docx.annotated.docx"
    copy.unlink()
    again = runner.invoke(batch, args)
    assert again.exit_code == 0, again.output
    assert "4 documents: 1 analysed, 3 already done" in again.output and copy.is_file()
    # Named explicitly, a file with the copy's name is an input: it is left as it was.
    solo = tmp_path / "solo"
    solo.mkdir()
    shutil.copy(SAMPLES / "rca-vestland-andes.docx", solo / "a.docx")
    decoy = solo / "a.docx.annotated.docx"
    shutil.copy(SAMPLES / "dsa-hordafjord-lakeshore.docx", decoy)
    kept = decoy.read_bytes()
    third = runner.invoke(
        batch, [str(solo / "a.docx"), str(decoy), "--out", str(solo), "--annotate", "--no-model"]
    )
    assert third.exit_code == 3, third.output
    assert "would overwrite an input file" in third.output and decoy.read_bytes() == kept


def test_batch_summary_says_what_pending_changes_do(runner, tmp_path: Path) -> None:
    """summary.csv's pending_changes column: the revision sentence of a redlined draft, kept
    when a re-run reuses the report; empty for a draft without tracked changes."""
    from revision_fixtures import ONLY_ARTICLE_3, PARTNER, build_agreement, delete_article

    folder = tmp_path / "in"
    folder.mkdir()
    build_agreement(folder / "redline.docx", delete_article(3), text=ONLY_ARTICLE_3)
    shutil.copy(SAMPLES / "rca-vestland-andes.docx", folder / "clean.docx")
    out = tmp_path / "out"
    for _ in range(2):  # the second run reads the sentence back from the JSON report
        result = runner.invoke(batch, [str(folder), "--out", str(out), "--no-model"])
        assert result.exit_code == 0, result.output
        rows = {Path(r["file"]).name: r for r in _rows(out)}
        assert rows["redline.docx"]["pending_changes"].startswith(f"Pending changes by {PARTNER}")
        assert "Academic freedom (Article 3 deleted)" in rows["redline.docx"]["pending_changes"]
        assert rows["clean.docx"]["pending_changes"] == ""
        summary = (out / "summary.html").read_text(encoding="utf-8")
        assert '<small class="pending">Pending changes by' in summary
    assert "2 already done" in result.output
