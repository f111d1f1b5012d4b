"""End to end in a real headless Chromium: the adviser's path through the pages.

A real uvicorn server on a free loopback port (in a thread), Debian's ``chromium`` driven by
Playwright through ``executable_path`` (Playwright's own browser download is never used), the
real upload form with its JavaScript, the real report page and a real download.

Skips, saying why, when /usr/bin/chromium or Playwright is missing; CI installs both so the
test runs there. Set ``ANALYSER_SCREENSHOTS=DIR`` to also save the screenshots used in the
README (docs/screenshots/).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PDF = SAMPLES / "mou-fjordvik-kilimani.pdf"
REVISION = (
    "\n\nArticle 12 Academic freedom\n\n1. Nothing in this MoU shall restrict the academic "
    "freedom of the researchers involved, including their freedom to publish.\n\n"
    "Article 13 Data management\n\n1. Personal data shall be processed in accordance with the "
    "GDPR and stored securely; research data shall be deleted or returned when the MoU ends.\n"
)

pytestmark = [
    pytest.mark.slow,
    # Locally the test may skip; in CI (.ci/run installs Chromium) a missing browser is a failure,
    # so a green CI run always means the browser test really ran.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} not installed (apt-get install chromium) - browser test skipped",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:
    """``analyser serve`` on 127.0.0.1:<free port>, in a thread, over a fresh database."""
    from analyser.web.app import serve

    port = _free_port()
    db = tmp_path_factory.mktemp("web") / "analyses.sqlite3"
    server = serve("127.0.0.1", port, db, log_level="warning", return_instance=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        version = chromium.version
        chromium.close()
    # One line in the test output that says the end-to-end tests really ran, not skipped
    # (CI reads it); whether they passed is in pytest's own summary line.
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nbrowser end-to-end: ran in headless Chromium {version}")


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 1200, "height": 860},
        accept_downloads=True,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    tab = context.new_page()
    csp_errors: list[str] = []
    tab.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    tab.on("pageerror", lambda err: csp_errors.append(str(err)))
    yield tab
    context.close()
    assert not csp_errors, f"CSP violations or script errors in the page: {csp_errors}"


def _screenshot(target, name: str, tmp_path: Path) -> None:
    """Every run takes the picture of a page or element (it must not be blank); it is kept
    when asked."""
    target_dir = Path(os.environ.get("ANALYSER_SCREENSHOTS") or tmp_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"{name}.png"
    target.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, f"{name} screenshot looks empty"


def test_upload_read_report_and_download(page, analyser_default, tmp_path) -> None:
    from playwright.sync_api import expect

    from analyser.render import location

    library = analyser_default.analyse_path(PDF)
    expected = {c.id: c.status for c in library.clauses}

    page.goto("/")
    assert page.locator("#analyse").is_disabled()  # nothing chosen yet
    page.set_input_files("#files", str(PDF))
    assert page.locator("#file-list .file-name").inner_text() == PDF.name
    _screenshot(page, "upload", tmp_path)
    page.click("#analyse")
    page.wait_for_url(re.compile(r"/analyses/\d+$"), timeout=30_000)

    # The report page: the traffic-light summary gives each clause its expected status.
    pills = page.locator("#clause-summary a.pill")
    shown = {
        pills.nth(i).get_attribute("data-clause"): pills.nth(i).get_attribute("data-status")
        for i in range(pills.count())
    }
    assert shown == expected
    missing = sum(1 for s in expected.values() if s == "missing")
    assert page.locator(".lamp-missing b").inner_text() == str(missing)
    card = page.locator(f"#clause-{next(c for c, s in expected.items() if s == 'missing')}")
    assert "Missing" in card.locator(".badge").inner_text()
    # Evidence: the quote is highlighted inside its paragraph, with page and section.
    quoted = next(c for c in library.clauses if c.evidence)
    figure = page.locator(f"#clause-{quoted.id} figure.quote").first
    assert figure.locator("mark").is_visible()
    assert " ".join(figure.locator("mark").inner_text().split()) == " ".join(
        quoted.evidence[0].text.split()
    )
    assert figure.locator("figcaption").inner_text() == location(quoted.evidence[0])

    # The copy button puts the suggested wording on the clipboard.
    button = page.locator("button[data-copy='suggestion-academic_freedom']")
    wording = page.locator("#suggestion-academic_freedom").inner_text()
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").strip() == wording.strip()
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    _screenshot(page, "report", tmp_path)
    _screenshot(page.locator("#clause-reciprocity"), "report-clause", tmp_path)

    # Downloads: the checklist (DOCX) and the report (HTML).
    for selector in ("#download-checklist", "#download-html"):
        with page.expect_download() as info:
            page.click(selector)
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        data = saved.read_bytes()
        if saved.suffix == ".docx":
            assert saved.name == "mou-fjordvik-kilimani-checklist.docx"
            assert data[:2] == b"PK" and b"word/document.xml" in data
        else:
            assert PDF.name.encode() in data and b"Academic freedom" in data


def test_upload_two_versions_compare_and_delete(page, live_server, tmp_path) -> None:
    from playwright.sync_api import expect

    first = tmp_path / "mou-fjordvik-kilimani-v1.txt"
    second = tmp_path / "mou-fjordvik-kilimani-v2.txt"
    text = (SAMPLES / "mou-fjordvik-kilimani.txt").read_text(encoding="utf-8")
    first.write_text(text, encoding="utf-8")
    second.write_text(text + REVISION, encoding="utf-8")

    page.goto("/")
    page.set_input_files("#files", [str(first), str(second)])  # several files at once
    page.click("#analyse")
    expect(page.locator(".file-row.ok")).to_have_count(2, timeout=30_000)
    assert page.locator(".file-row.failed").count() == 0
    assert "open report" in page.locator(".file-row").nth(1).inner_text()

    page.goto("/history?q=fjordvik-kilimani-v")
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 2
    assert page.locator("#compare-button").is_disabled()
    page.locator("input[form='compare-form']").nth(0).check()
    page.locator("input[form='compare-form']").nth(1).check()
    page.click("#compare-button")
    page.wait_for_url(re.compile(r"/compare\?"))
    assert page.locator("#change-academic_freedom").get_attribute("data-change") in {
        "closed",
        "improved",
    }
    assert page.locator("#change-ipr").get_attribute("data-change") == "unchanged"
    assert "mou-fjordvik-kilimani-v1.txt" in page.locator(".version").nth(0).inner_text()
    _screenshot(page, "compare", tmp_path)

    # Delete from the history page (after the confirmation dialog).
    page.goto("/history?q=fjordvik-kilimani-v")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("table.history button.danger").first.click()
    page.wait_for_url(re.compile(r"/history$"))
    page.goto("/history?q=fjordvik-kilimani-v")
    assert page.locator("table.history tbody tr").count() == 1
    remaining = page.request.get(f"{live_server}/api/analyses?q=fjordvik-kilimani-v").json()
    assert [e["name"] for e in remaining] == ["mou-fjordvik-kilimani-v1.txt"]
