"""The report as a PDF: the HTML report, with its A4 print stylesheet, laid out by WeasyPrint.

Why WeasyPrint and not headless Chromium (measured by ``bench/bench_pdf_report.py``; figures in
the README, "PDF reports"): on the report of a 3-page agreement it is nearly three times faster
per report, its PDF under a quarter of the size, and both honour the same print stylesheet
(A4, the same page count, the same DejaVu fonts embedded). It is a Python library (about 50 MB
with its dependencies, against 350 MB of Chromium plus 165 MB of Playwright to drive it), and
it lets us decide every URL it may load: Chromium has no such hook from the command line.

No network, ever: the report is one self-contained HTML string (styles inline, no images), and
:class:`LocalOnlyFetcher` refuses every URL that is not ``data:``, so a link or a stylesheet
smuggled into a report through a document's text can make WeasyPrint fetch nothing -- not a
web address, and not a local file either.

WeasyPrint is an optional dependency (``pip install 'agreement-analyser[pdf]'``; it needs the
Pango library, Debian ``libpango-1.0-0 libpangoft2-1.0-0``). Without it, asking for a PDF
raises :class:`~analyser.errors.RendererMissing`, which the CLI turns into one line and
exit 6.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from analyser.errors import RendererMissing

if TYPE_CHECKING:
    from analyser.engine import Job
    from analyser.limits import Limits
    from analyser.pipeline import Analyser

INSTALL_HINT = (
    "PDF reports need WeasyPrint: pip install 'agreement-analyser[pdf]' "
    "(and the Pango library: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
)
ALLOWED_SCHEMES = ("data",)


def _weasyprint() -> Any:
    """Import WeasyPrint, or say in one line how to get it.

    WeasyPrint loads Pango through cffi at import time: without the system library the import
    raises OSError, not ImportError.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as e:
        raise RendererMissing(INSTALL_HINT) from e
    return weasyprint


def check_pdf_renderer() -> None:
    """Raise :class:`RendererMissing` unless a PDF can be made; called before any analysis."""
    _weasyprint()


@cache
def pdf_renderer_available() -> bool:
    """Whether WeasyPrint is installed (the web page offers the PDF download only then).

    Looked up once per process; see :func:`weasyprint_installed`.
    """
    return weasyprint_installed()


def weasyprint_installed() -> bool:
    """Whether WeasyPrint is installed, looked up, not imported.

    Importing WeasyPrint takes about a second, which the first report page of a server should
    not wait for, and the server never lays out a PDF itself (an engine worker does). A
    missing Pango still shows, as one line, when a PDF is asked for (:func:`html_to_pdf`
    raises :class:`RendererMissing`).
    """
    from importlib.util import find_spec

    try:
        return find_spec("weasyprint") is not None
    except ValueError:  # imported before and removed again: treat as absent
        return False


def local_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that loads ``data:`` URLs and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc, valid-type]
        """Refuses every scheme but ``data:`` before a connection or a file is opened."""

        refused: list[str]

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme not in ALLOWED_SCHEMES:
                self.refused.append(url)
                raise ValueError(f"the PDF renderer loads nothing from outside: {url}")
            return super().fetch(url, headers)

    fetcher = LocalOnlyFetcher(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False)
    fetcher.refused = []
    return fetcher


def html_to_pdf(html: str) -> bytes:
    """Lay out a self-contained HTML report as PDF (print media, so the A4 stylesheet applies)."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=local_only_fetcher(), media_type="print")
    # Tagged (headings, lists, tables in a structure tree) so that a screen reader can follow
    # the report; the document language comes from <html lang>. Costs about 0.2 s and 10 KB.
    return bytes(document.write_pdf(pdf_tags=True))


def _layout_task(analyser: Analyser, job: Job) -> bytes:
    """In an engine worker: lay out the report's HTML (the job's payload) as PDF."""
    return html_to_pdf(job.payload)


def html_to_pdf_in_engine(
    html: str, analyser: Analyser, limits: Limits, *, seconds: float, name: str
) -> bytes:
    """:func:`html_to_pdf` in a forked engine worker, within ``seconds`` and the memory cap.

    Layout cost grows with what a report holds (quotes, tracked changes, the number of
    documents), and what it holds comes from an untrusted draft: laid out in the command's own
    process it would escape the deadline and memory cap that bound the analysis (issue 13,
    "end to end"). Refused layouts raise the engine's timeout or out-of-memory error, naming
    ``name``.
    """
    from analyser.engine import Engine, Job

    engine = Engine(analyser, _layout_task, jobs=1, limits=limits, warm=False)
    (outcome,) = list(engine.run([Job("pdf", name, payload=html, seconds=seconds)]))
    if outcome.error is not None:
        raise outcome.error
    return bytes(outcome.value)
