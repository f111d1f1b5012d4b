"""Tests for analyser/render_pdf.py: the report as an A4 PDF, laid out by WeasyPrint, offline.

The PDFs are read back with pypdfium2 (the project's own PDF library): page size, page count
and the text on the pages. Skips, saying why, when WeasyPrint is not installed; CI installs it
(the ``test`` extra and Pango from ``.ci/run``), so there a missing renderer is a failure.
"""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

from analyser.cli import main
from analyser.errors import RendererMissing
from tests.conftest import SAMPLES

THREE_PAGES = SAMPLES / "exchange-nordhavn-hanbit.pdf"


def _weasyprint_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


needs_renderer = pytest.mark.skipif(
    not _weasyprint_available() and not os.environ.get("CI"),
    reason="WeasyPrint not installed (pip install 'agreement-analyser[pdf]') - PDF tests skipped",
)


def _pdf_pages(path: Path) -> tuple[list[tuple[int, int]], str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        sizes = [tuple(round(v) for v in pdf[i].get_size()) for i in range(len(pdf))]
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    return sizes, " ".join(text.split())


@needs_renderer
@pytest.mark.parametrize("lang", ["en", "nb"], ids=["english-labels", "norwegian-labels"])
def test_render_pdf_cli_report_is_a4_with_verdict(runner, tmp_path, lang) -> None:
    """`check --format pdf` of a 3-page agreement: A4 pages, at most 4, the verdict on them."""
    sample_sizes, _ = _pdf_pages(THREE_PAGES)
    assert len(sample_sizes) == 3, "the sample must be a 3-page agreement"
    out = tmp_path / "report.pdf"
    args = ["check", str(THREE_PAGES), "--format", "pdf", "--lang", lang, "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    sizes, text = _pdf_pages(out)
    assert sizes and set(sizes) == {(595, 842)}, "A4 in points, every page"
    assert len(sizes) <= 4
    verdict = {"en": "Gaps: required clauses are missing", "nb": "Mangler: påkrevde klausuler"}
    assert verdict[lang] in text
    assert "exchange-nordhavn-hanbit.pdf" in text
    # The print stylesheet applied: screen-only parts (skip link, document view) are not printed.
    assert "Skip to main content" not in text and "Gå til hovedinnholdet" not in text
    assert not list(tmp_path.glob(".report.pdf.*")), "temporary file left behind"
    # Tagged for screen readers, in the language of its labels.
    from pypdf import PdfReader

    catalogue = PdfReader(str(out)).trailer["/Root"]
    assert bool(catalogue["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalogue
    assert catalogue["/Lang"] == lang


@needs_renderer
def test_render_pdf_cli_writes_to_a_pipe(runner) -> None:
    """Standard output that is not a terminal (a pipe, a redirect) gets the PDF's bytes."""
    result = runner.invoke(main, ["check", str(THREE_PAGES), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF-")
    assert result.stdout_bytes.rstrip().endswith(b"%%EOF")


class _CountingServer(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@needs_renderer
def test_render_pdf_fetches_nothing_from_outside(tmp_path) -> None:
    """A stylesheet, an image and a local file named in the HTML: none is loaded."""
    from analyser.render_pdf import html_to_pdf, local_only_fetcher

    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    _CountingServer.requests = []
    html = (
        "<!DOCTYPE html><html><head>"
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/remote.css">'
        f'<link rel="stylesheet" href="{secret.as_uri()}">'
        "</head><body><p>Verdict</p>"
        f'<img src="http://127.0.0.1:{port}/pixel.png" alt="">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==" '
        'alt="">'
        "</body></html>"
    )
    try:
        pdf = html_to_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-")
    assert _CountingServer.requests == []
    fetcher = local_only_fetcher()
    for url in (f"http://127.0.0.1:{port}/x", secret.as_uri(), "https://example.org/x"):
        with pytest.raises(ValueError, match="loads nothing from outside"):
            fetcher.fetch(url)
    assert fetcher.refused == [
        f"http://127.0.0.1:{port}/x",
        secret.as_uri(),
        "https://example.org/x",
    ]
    response = fetcher.fetch("data:text/css,p%7Bcolor:red%7D")
    try:
        assert response.read() == b"p{color:red}"
    finally:
        response.close()


def test_render_pdf_missing_renderer_is_one_error(monkeypatch) -> None:
    import sys

    from analyser.render_pdf import check_pdf_renderer, html_to_pdf

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # what `import` sees when absent
    with pytest.raises(RendererMissing, match=r"pip install 'agreement-analyser\[pdf\]'") as e:
        check_pdf_renderer()
    assert e.value.exit_code == 6
    with pytest.raises(RendererMissing):
        html_to_pdf("<p>x</p>")


@needs_renderer
def test_render_pdf_layout_is_bounded_by_the_engine() -> None:
    """Layout runs in a forked engine worker: a report too long to lay out within its deadline
    is refused with the engine's one-line timeout naming it, and an ordinary one comes back."""
    from analyser.errors import AnalysisTimeout
    from analyser.limits import Limits
    from analyser.pipeline import Analyser
    from analyser.render_pdf import html_to_pdf_in_engine

    analyser = Analyser.for_profile(None, use_model=False)
    limits = Limits()
    paragraph = "<p>" + "A quoted clause the partner repeated. " * 40 + "</p>"
    heavy = "<html><body>" + paragraph * 3000 + "</body></html>"
    with pytest.raises(AnalysisTimeout) as refused:
        html_to_pdf_in_engine(heavy, analyser, limits, seconds=0.5, name="heavy.docx")
    assert "timed out" in str(refused.value) and "heavy.docx" in str(refused.value)
    pdf = html_to_pdf_in_engine(
        "<html><body><p>Risk LOW</p></body></html>", analyser, limits, seconds=60, name="x"
    )
    assert pdf.startswith(b"%PDF-")
