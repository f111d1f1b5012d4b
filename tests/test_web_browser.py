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
    assert figure.locator("figcaption .where").inner_text() == location(quoted.evidence[0])

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


# --------------------------------------------------------------------------- issue 16
# Accessibility (axe-core), phone width, Norwegian pages, the document view, print, safeguards.

NB_PDF = SAMPLES / "mou-fjordvik-kilimani-nb.pdf"
DOCX = SAMPLES / "rca-vestland-andes.docx"
TXT = SAMPLES / "mou-fjordvik-kilimani.txt"


def _upload(live_server: str, path: Path, name: str | None = None) -> int:
    """Analyse a file through the JSON API (what the upload form's script also does)."""
    import httpx

    with path.open("rb") as fh:
        reply = httpx.post(
            f"{live_server}/api/analyses", files={"file": (name or path.name, fh)}, timeout=180
        )
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


@pytest.fixture(scope="module")
def seeded(live_server, tmp_path_factory) -> dict[str, int]:
    """One English PDF, its Norwegian translation, a DOCX, a text version of the PDF and a
    revised text version (a term of five years made fifty, a disputes article added)."""
    revised = tmp_path_factory.mktemp("revised") / ("ux-v2-" + TXT.name)
    text = TXT.read_text(encoding="utf-8")
    assert "five (5) years" in text
    revised.write_text(
        text.replace("five (5) years", "fifty (50) years")
        + "\n\nArticle 14 Disputes\n\n1. Any dispute shall be settled exclusively by the courts "
        "of the Second Party's country.\n",
        encoding="utf-8",
    )
    from revision_fixtures import ONLY_ARTICLE_3, build_agreement, delete_article

    redline = build_agreement(
        tmp_path_factory.mktemp("redline") / "ux-redline.docx",
        delete_article(3),
        text=ONLY_ARTICLE_3,
    )
    return {
        "redline": _upload(live_server, redline),
        "pdf": _upload(live_server, PDF, "ux-" + PDF.name),
        "nb": _upload(live_server, NB_PDF, "ux-" + NB_PDF.name),
        "docx": _upload(live_server, DOCX, "ux-" + DOCX.name),
        "txt": _upload(live_server, TXT, "ux-" + TXT.name),
        "txt2": _upload(live_server, revised),
    }


def _pages(ids: dict[str, int]) -> dict[str, str]:
    return {
        "upload": "/",
        "report": f"/analyses/{ids['pdf']}",
        "report-nb": f"/analyses/{ids['nb']}",
        "report-docx": f"/analyses/{ids['docx']}",
        "report-redline": f"/analyses/{ids['redline']}",
        "history": "/history",
        "compare": f"/compare?id={ids['pdf']}&id={ids['txt']}",
        "compare-unrelated": f"/compare?id={ids['pdf']}&id={ids['docx']}",
        "compare-redline": f"/compare?id={ids['txt']}&id={ids['txt2']}",
        "login": "/login",
        "error": "/analyses/999999",
    }


@pytest.mark.parametrize("width", [1200, 390], ids=["desktop", "phone"])
def test_web_pages_accessible_and_fit_the_width(
    browser, live_server, seeded, width, tmp_path
) -> None:
    """axe-core (shipped inside axe-playwright-python, injected from disk: no network) finds
    no serious or critical violation on any page, and no page is wider than the window."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python"
    )
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800})
    tab = context.new_page()
    axe = axe_module.Axe()
    problems = {}
    for name, url in _pages(seeded).items():
        tab.goto(url)
        violations = [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in axe.run(tab).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        wide = tab.evaluate("document.documentElement.scrollWidth")
        if name == "report" and width == 390:
            _screenshot(tab, "report-phone", tmp_path)
        if violations or wide > width:
            problems[name] = {"violations": violations, "scroll_width": wide}
    context.close()
    assert problems == {}


def test_web_long_file_names_and_failed_sign_in_fit_the_phone(
    browser, live_server, tmp_path
) -> None:
    """A file name is often one long word: the history, report and error pages wrap it rather
    than grow wider than a 390 px phone; the failed sign-in page is axe-clean too."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python"
    )
    long_name = "phone-" + "x" * 150 + ".txt"
    analysis = _upload(live_server, SAMPLES / "collab-lakeshore-bremnes.txt", long_name)
    broken = tmp_path / ("phone-" + "y" * 150 + ".pdf")
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)  # a PDF header, then noise
    widths = {}
    # Without JavaScript the upload form posts and the server answers with its error page.
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 800}, java_script_enabled=False
    )
    tab = context.new_page()
    tab.goto("/")
    tab.set_input_files("#files", str(broken))
    tab.click("#analyse")
    assert broken.name in tab.locator(".error-message").inner_text()
    widths["error"] = tab.evaluate("document.documentElement.scrollWidth")
    context.close()
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 800})
    tab = context.new_page()
    for name, url in (("history", f"/history?q={long_name}"), ("report", f"/analyses/{analysis}")):
        tab.goto(url)
        assert long_name in tab.locator("main").inner_text()
        widths[name] = tab.evaluate("document.documentElement.scrollWidth")
    tab.goto("/login")
    tab.fill("#token", "not-the-token")
    tab.click("button[type=submit]")
    assert tab.locator(".error-message").is_visible()
    widths["login-failed"] = tab.evaluate("document.documentElement.scrollWidth")
    serious = [
        v["id"]
        for v in axe_module.Axe().run(tab).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []
    assert widths == dict.fromkeys(widths, 390)


def test_web_keyboard_skip_link_and_visible_focus(page, seeded) -> None:
    page.goto(f"/analyses/{seeded['pdf']}")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0, "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")  # the next focusable element after the skip target
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "focus is visible"


def test_web_unique_accessible_names(page, seeded) -> None:
    page.goto(f"/analyses/{seeded['pdf']}")
    copies = page.locator("button[data-copy]")
    names = [copies.nth(i).get_attribute("aria-label") for i in range(copies.count())]
    assert len(names) >= 2 and len(set(names)) == len(names)
    assert "Copy suggested wording for Academic freedom" in names
    page.goto("/history")
    deletes = page.locator("table.history button.danger")
    names = [deletes.nth(i).get_attribute("aria-label") for i in range(deletes.count())]
    assert f"Delete the analysis of ux-{PDF.name}" in names
    assert len(set(names)) == len(names)


def _english_labels() -> list[str]:
    """Every interface label of en.yaml that differs from Norwegian and has no placeholder."""
    from analyser.i18n import messages

    def leaves(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from leaves(value)
        elif isinstance(node, str):
            yield node

    english = {k: v for k, v in messages("en").items() if k != "language_name"}  # self-named
    norwegian = set(leaves(messages("nb")))
    return [s for s in leaves(english) if s and "%(" not in s and s not in norwegian]


def test_web_norwegian_report_page_has_no_english_label(page, seeded, tmp_path) -> None:
    page.context.clear_cookies()
    page.goto(f"/analyses/{seeded['nb']}")
    assert page.locator("html").get_attribute("lang") == "nb"
    text = page.locator("body").inner_text()
    shown = [
        label for label in _english_labels() if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)
    ]
    assert shown == []
    assert "Mangler" in text and "Akademisk frihet" in text
    _screenshot(page, "report-nb", tmp_path)
    # The suggested wording is tagged with the agreement's language.
    assert page.locator(".suggestion-text").first.get_attribute("lang") == "nb"


def test_web_language_switch_keeps_wording_in_the_agreement_language(page, seeded) -> None:
    page.goto(f"/analyses/{seeded['nb']}?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Framework clauses" in page.locator("#clauses-title").inner_text()
    suggestion = page.locator(".suggestion-text").first
    assert suggestion.get_attribute("lang") == "nb"
    assert "Partene" in suggestion.inner_text()
    page.goto("/history")  # the choice is kept in a cookie
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/history?lang=nb")
    assert page.locator("h1").inner_text() == "Historikk"
    page.context.clear_cookies()


@pytest.mark.parametrize("source", ["web", "html-file"])
def test_document_view_links_findings_and_marks_both_ways(page, seeded, tmp_path, source) -> None:
    """From a quote to its mark in the document, and from the mark back to its clause card."""
    from analyser.i18n import messages

    page.context.clear_cookies()
    if source == "web":
        page.goto(f"/analyses/{seeded['pdf']}")
    else:
        with page.expect_download() as info:
            page.goto(f"/analyses/{seeded['pdf']}")
            page.click("#download-html")
        saved = tmp_path / "report.html"
        info.value.save_as(saved)
        page.goto(saved.as_uri())
    to_doc = page.locator("section.card a.to-doc").first
    card_id = to_doc.locator("xpath=ancestor::section[contains(@class,'card')]").get_attribute("id")
    target = to_doc.get_attribute("href")
    to_doc.click()
    assert page.evaluate("location.hash") == target
    mark_link = page.locator(target.replace("#", "#", 1))
    assert mark_link.is_visible() and mark_link.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    )
    # The mark is inside the document view, highlighted, and names its finding.
    assert mark_link.evaluate("el => !!el.closest('.docview') && !!el.closest('mark.hl')")
    title = page.locator(f"#{card_id} h3").inner_text() if source == "web" else None
    label = mark_link.inner_text()
    prefix = messages("en")["report"]["back_to_finding"].split("%(")[0]
    assert prefix in label and (title is None or title in label)
    if source == "web":
        _screenshot(page.locator("#document"), "document-view", tmp_path)
    mark_link.click()
    assert page.evaluate("location.hash") == f"#{card_id}"
    assert page.locator(f"#{card_id}").evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; }"
    )
    # Every evidence quote of every card has its mark; every mark links to an existing card.
    hrefs = page.locator(".docview a.hl-link").evaluate_all("els => els.map(e => e.hash)")
    assert hrefs and all(page.locator(h).count() == 1 for h in set(hrefs))


def test_report_page_docx_gives_clause_path_not_pages(page, seeded) -> None:
    page.goto(f"/analyses/{seeded['docx']}")
    meta = page.locator("dl.meta").inner_text()
    assert "Pages" not in meta and "–" not in meta
    captions = page.locator("section.card figcaption").all_inner_texts()
    assert captions and not any("p." in c for c in captions)
    page.goto(f"/analyses/{seeded['pdf']}")
    captions = page.locator("section.card figcaption").all_inner_texts()
    assert any(re.match(r"p\. \d+ · ", c) for c in captions)


THREE_PAGES = SAMPLES / "exchange-nordhavn-hanbit.pdf"  # built by samples/build_samples.py


def test_report_page_prints_a_3_page_sample_on_at_most_4_a4_pages(
    page, live_server, tmp_path
) -> None:
    """Print media at A4 prints a 3-page sample's report on at most 4 pages, without the menu,
    the forms or the document view (issue 16)."""
    import pypdfium2

    sample = pypdfium2.PdfDocument(str(THREE_PAGES))
    try:
        assert len(sample) == 3, "the sample must be a 3-page agreement"
    finally:
        sample.close()
    analysis = _upload(live_server, THREE_PAGES, "ux-print-" + THREE_PAGES.name)
    page.goto(f"/analyses/{analysis}")
    page.emulate_media(media="print")
    for hidden in (".topbar", ".actions", ".report-foot form", ".document", "button.copy"):
        assert not page.locator(hidden).first.is_visible(), hidden
    out = tmp_path / "printed.pdf"
    page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
    pdf = pypdfium2.PdfDocument(str(out))
    try:
        sizes = {tuple(round(v) for v in pdf[i].get_size()) for i in range(len(pdf))}
        pages = len(pdf)
    finally:
        pdf.close()
    assert sizes == {(595, 842)}, "A4 in points, every page"
    assert 1 <= pages <= 4


def test_compare_with_offers_versions_first_and_warns_on_unrelated(page, seeded) -> None:
    page.goto(f"/analyses/{seeded['pdf']}")
    first_group = page.locator("#compare-other optgroup").first
    assert first_group.get_attribute("label") == "Likely versions of this agreement"
    offered = first_group.locator("option").all_inner_texts()
    assert any(f"ux-{TXT.name}" in o for o in offered)
    assert not any(f"ux-{DOCX.name}" in o for o in offered)
    page.goto(f"/compare?id={seeded['pdf']}&id={seeded['docx']}")
    assert page.locator("#unrelated-warning").is_visible()
    page.goto(f"/compare?id={seeded['pdf']}&id={seeded['txt']}")
    assert page.locator("#unrelated-warning").count() == 0


def test_same_file_again_links_to_the_earlier_analysis(page, live_server, seeded) -> None:
    again = _upload(live_server, PDF, "ux-again-" + PDF.name)
    page.goto(f"/analyses/{again}")
    link = page.locator("#duplicate-notice a")
    assert link.count() >= 1
    assert f"/analyses/{seeded['pdf']}" in link.evaluate_all("els => els.map(e => e.pathname)")
    # Delete asks first, then says what was deleted.
    messages_seen: list[str] = []

    def answer(dialog) -> None:
        messages_seen.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.click(".report-foot button.danger")
    page.wait_for_url(re.compile(r"/history$"))
    assert messages_seen and "ux-again-" in messages_seen[0]
    notice = page.locator("#deleted-notice").inner_text()
    assert f"ux-again-{PDF.name}" in notice
    page.reload()
    assert page.locator("#deleted-notice").count() == 0, "said once"


# Answering inside the draft (issue 15): the annotated draft and the compare page's redline.


def test_report_page_offers_the_annotated_draft(page, seeded, tmp_path) -> None:
    """A DOCX report page links its annotated draft; the download is the draft with the
    analyser's comments. A TXT report page has no such link."""
    import zipfile

    page.goto(f"/analyses/{seeded['docx']}")
    link = page.locator("#download-annotated")
    assert link.is_visible() and link.inner_text() == "Annotated draft (DOCX)"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "ux-rca-vestland-andes-annotated.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert b"Agreement analyser" in archive.read("word/comments.xml")
    page.goto(f"/analyses/{seeded['txt']}")
    assert page.locator("#download-annotated").count() == 0


def test_compare_redline_struck_underlined_and_labelled(
    browser, live_server, seeded, tmp_path
) -> None:
    """Deleted words struck and inserted words underlined (not by colour alone), each read
    out with its label, under its article; at 390 px the redline wraps inside the screen."""
    for width in (1200, 390):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": 800}
        )
        tab = context.new_page()
        tab.goto(f"/compare?id={seeded['txt']}&id={seeded['txt2']}")
        deleted = tab.locator("#redline del").first
        inserted = tab.locator("#redline ins").first
        assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert deleted.text_content() == "[deleted: five (5)]"
        assert inserted.text_content() == "[inserted: fifty (50)]"
        assert "Article 14 Disputes" in tab.locator("#redline").inner_text()
        box = tab.locator("#redline").bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        if width == 1200:
            _screenshot(tab.locator("#redline"), "compare-redline", tmp_path)
        context.close()
